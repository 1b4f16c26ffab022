package license

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"huitong"
	"huitong/internal/audit"
	"huitong/internal/ids"
	"huitong/internal/ingest"
	"huitong/internal/masking"
)

// Recorder appends to the audit log, durably, before Append returns.
type Recorder interface {
	Append(ctx context.Context, e audit.Entry) (int64, error)
}

// Service is the license library.
type Service struct {
	Store Store
	Keys  *Ring
	Audit Recorder
	// OrgName returns an org's name; an error matching
	// huitong.ErrNoRecord for an unknown org.
	OrgName func(ctx context.Context, uscc string) (string, error)
	// Subject returns the audit subject (keyed HMAC) of an ID number or
	// USCC.
	Subject func(code string) string
	// CitizenSubject returns the subject of the calling citizen's verified
	// ID number.
	CitizenSubject func(ctx context.Context) (string, error)
	// PublicURL is the base URL of the public listener, without a trailing
	// slash: verification links, QR codes and status lists name it.
	PublicURL string
	Now       func() time.Time
	// IdentifierRate bounds lookups by identifier alone (verification
	// without the credential, its page and QR codes) per client address,
	// a second, with bursts of IdentifierBurst; 0 does not limit.
	IdentifierRate  float64
	IdentifierBurst int
	lookups         idLimiter

	types    sync.Map // code -> Type; types do not change once defined
	names    sync.Map // issuer USCC -> cachedName
	seqMu    sync.Mutex
	seqs     map[string]*seqRange
	statusMu sync.Mutex
	lists    map[string]cachedList
}

type cachedList struct {
	rev   int64
	token string
}

// Audit actions.
const (
	ActionType     = "license.type"
	ActionIssue    = "license.issue"
	ActionRevoke   = "license.revoke"
	ActionReissue  = "license.reissue"
	ActionRead     = "license.read"
	ActionList     = "license.list"
	ActionUse      = "license.use"
	ActionConsent  = "license.consent"
	ActionWithdraw = "license.consent_withdraw"
	ActionImport   = "license.import"
	ActionRotate   = "license.key_rotate"
)

// china is the time zone of issue dates and validity days.
var china = time.FixedZone("CST", 8*3600)

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Limits on input.
const (
	MaxHolderName = 100
	MaxNumber     = 64
	MaxReason     = 500
	MaxPurpose    = 500
	MaxConsent    = 366 * 24 * time.Hour
	DefaultTerm   = 30 * 24 * time.Hour
	maxValueLen   = 2000
)

// Errors.

func errTypeNotFound(code string) error {
	return huitong.NotFoundf("license_type_not_found", "证照类型 %s 不存在", "license type %s not found", code)
}

func errLicenseNotFound(id string) error {
	return huitong.NotFoundf("license_not_found", "证照 %s 不存在", "license %s not found", id)
}

func errNotIssuer() error {
	return huitong.Forbiddenf("not_issuer", "只有该证照类型的发证机构的发证人员可以办理", "only issuing officers of an org allowed to issue this license type may do this")
}

func errNotActive(id, status string) error {
	return huitong.Conflictf("license_not_active", "证照 %s 当前状态为 %s，不能办理", "license %s is %s", id, status)
}

func errInvalidIdentifier(id string, err error) error {
	return huitong.Invalidf("invalid_identifier", "证照标识不符合 GB/T 36904：%s", "not a GB/T 36904 license identifier: %s", huitong.Clip(id, 120)).Wrap(err)
}

// change records e, then makes the change with do. The record comes first,
// so that nothing changes unrecorded; if do then fails (a concurrent change
// won), a second record says so.
func (s *Service) change(ctx context.Context, e audit.Entry, do func() error) error {
	if _, err := s.Audit.Append(ctx, e); err != nil {
		return err
	}
	if err := do(); err != nil {
		f := e
		f.Outcome, f.Reason = audit.Failed, huitong.ErrorCode(err)
		if _, aerr := s.Audit.Append(context.WithoutCancel(ctx), f); aerr != nil {
			return errors.Join(err, aerr)
		}
		return err
	}
	return nil
}

// deny records a refusal and returns it (or the audit failure).
func (s *Service) deny(ctx context.Context, e audit.Entry, refusal error) error {
	e.Outcome, e.Reason = audit.Denied, huitong.ErrorCode(refusal)
	if _, err := s.Audit.Append(ctx, e); err != nil {
		return err
	}
	return refusal
}

// Types.

// DefineType registers a license type. Admins may define any type; an
// issuer may define types whose code starts with its own org's USCC.
func (s *Service) DefineType(ctx context.Context, t Type) (Type, error) {
	p, err := huitong.Require(ctx, huitong.RoleAdmin, huitong.RoleIssuer)
	if err != nil {
		return Type{}, err
	}
	t.Code, t.Name = strings.TrimSpace(t.Code), strings.TrimSpace(t.Name)
	if err := t.Validate(); err != nil {
		return Type{}, err
	}
	if !p.IsAdmin() && !strings.HasPrefix(t.Code, p.OrgUSCC) {
		return Type{}, s.deny(ctx, audit.Entry{Action: ActionType, Object: "license_type:" + t.Code},
			huitong.Forbiddenf("not_defining_authority", "证照类型代码须以本单位统一社会信用代码开头，或由平台管理员定义", "a type code must start with your org's USCC, or be defined by an admin"))
	}
	var v huitong.Validation
	for i, u := range t.IssuerUSCCs {
		if _, err := s.OrgName(ctx, u); errors.Is(err, huitong.ErrNoRecord) {
			v.Add("issuer_usccs["+strconv.Itoa(i)+"]", "org_not_found", "发证机构未在平台登记："+u, "issuing org not registered: "+u)
		} else if err != nil {
			return Type{}, err
		}
	}
	if err := v.Err(); err != nil {
		return Type{}, err
	}
	t.CreatedAt, t.CreatedBy = s.now(), p.Actor()
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: ActionType, Object: "license_type:" + t.Code, Rule: roleRule(p),
		Detail: map[string]string{"fields": strconv.Itoa(len(t.Fields)), "issuers": strconv.Itoa(len(t.IssuerUSCCs))}}); err != nil {
		return Type{}, err
	}
	if err := s.Store.CreateLicenseType(ctx, t); err != nil {
		if errors.Is(err, huitong.ErrDuplicate) {
			return Type{}, huitong.Conflictf("license_type_exists", "证照类型 %s 已存在", "license type %s already exists", t.Code)
		}
		return Type{}, err
	}
	return t, nil
}

func roleRule(p *huitong.Principal) string {
	for _, r := range []string{huitong.RoleAdmin, huitong.RoleIssuer, huitong.RoleAuditor} {
		if p.HasRole(r) {
			return "role:" + r
		}
	}
	return ""
}

// Type returns a license type.
func (s *Service) Type(ctx context.Context, code string) (Type, error) {
	if t, ok := s.types.Load(code); ok {
		return t.(Type), nil
	}
	t, err := s.Store.GetLicenseType(ctx, code)
	if errors.Is(err, huitong.ErrNoRecord) {
		return Type{}, errTypeNotFound(huitong.Clip(code, 40))
	}
	if err != nil {
		return Type{}, err
	}
	s.types.Store(code, t)
	return t, nil
}

// Types lists the license types to any authenticated caller.
func (s *Service) Types(ctx context.Context) ([]Type, error) {
	if _, err := huitong.Require(ctx); err != nil {
		return nil, err
	}
	ts, err := s.Store.ListLicenseTypes(ctx)
	if ts == nil {
		ts = []Type{}
	}
	return ts, err
}

// Issuance.

// IssueInput is what an issuing officer sends.
type IssueInput struct {
	TypeCode   string         `json:"type_code"`
	Holder     Holder         `json:"holder"`
	Data       map[string]any `json:"data"`
	Number     string         `json:"number"`
	ValidFrom  string         `json:"valid_from"`
	ValidUntil string         `json:"valid_until"`
}

// checker checks the content of licenses of one type.
type checker struct {
	t      Type
	fields map[string]*ingest.Checker
	now    time.Time
}

func newChecker(t Type, now time.Time) (*checker, error) {
	c := &checker{t: t, fields: map[string]*ingest.Checker{}, now: now}
	for _, f := range t.Fields {
		fc, err := ingest.NewChecker(f, now)
		if err != nil {
			return nil, fmt.Errorf("license type %s: %w", t.Code, err)
		}
		c.fields[f.Name] = fc
	}
	return c, nil
}

// text turns a JSON value of data into its text.
func text(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	}
	return "", false
}

// content checks a license's holder, data and validity, and fills l from
// them. Every problem is added to v.
func (c *checker) content(v *huitong.Validation, l *License, in IssueInput) {
	h := in.Holder
	h.Name, h.Code, h.CodeType = strings.TrimSpace(h.Name), strings.ToUpper(strings.TrimSpace(h.Code)), strings.TrimSpace(h.CodeType)
	if n := utf8.RuneCountInString(h.Name); n == 0 || n > MaxHolderName {
		v.Add("holder.name", "required", "持证主体名称不能为空（不超过 100 字）", "holder name is required (at most 100 characters)")
	}
	want := CodeTypeOf(c.t.HolderKind)
	switch {
	case h.CodeType == "":
		h.CodeType = want
	case h.CodeType != want:
		v.Add("holder.code_type", "invalid_code_type", "该证照的持证主体代码类型须为 "+want, "the holder code type of this license type must be "+want)
	}
	if want == CodeTypeIDCard {
		if err := ids.ValidateIDCardAt(h.Code, c.now); err != nil {
			v.Add("holder.code", "invalid_id_card", "持证人公民身份号码无效（GB 11643）", "invalid holder ID number (GB 11643): "+err.Error())
		}
	} else if err := ids.ValidateUSCC(h.Code); err != nil {
		v.Add("holder.code", "invalid_uscc", "持证单位统一社会信用代码无效（GB 32100）", "invalid holder USCC (GB 32100): "+err.Error())
	}
	l.Holder = h

	data := make(map[string]string, len(c.t.Fields))
	names := make([]string, 0, len(in.Data))
	for k := range in.Data {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if _, ok := c.fields[k]; !ok {
			v.Add("data."+huitong.Clip(k, 64), "unknown_field", "证照类型没有信息项 "+huitong.Clip(k, 64), "the license type has no field "+huitong.Clip(k, 64))
		}
	}
	for _, f := range c.t.Fields {
		raw, ok := text(in.Data[f.Name])
		if !ok {
			v.Add("data."+f.Name, "invalid_value", "信息项的值须为文本、数字或布尔值", "a field value must be a string, number or boolean")
			continue
		}
		if utf8.RuneCountInString(raw) > maxValueLen {
			v.Add("data."+f.Name, "too_long", "信息项的值过长", "the value is too long")
			continue
		}
		norm, ps := c.fields[f.Name].Check(raw)
		bad := false
		for _, p := range ps {
			if p.Severity == ingest.SeverityError {
				v.Add("data."+f.Name, p.Rule, f.Title+"："+p.Message, f.Name+": "+p.MessageEN)
				bad = true
			}
		}
		if !bad && norm != "" {
			data[f.Name] = norm
		}
	}
	l.Data = data

	if n := utf8.RuneCountInString(in.Number); n > MaxNumber {
		v.Add("number", "too_long", "证照编号过长", "the license number is too long")
	}
	l.Number = strings.TrimSpace(in.Number)

	today := c.now.In(china).Format(time.DateOnly)
	from := strings.TrimSpace(in.ValidFrom)
	if from == "" {
		from = today
	}
	fromT, err := time.ParseInLocation(time.DateOnly, from, china)
	if err != nil {
		v.Add("valid_from", "invalid_date", "有效期起始日须为 YYYY-MM-DD", "valid_from must be YYYY-MM-DD")
		return
	}
	until := strings.TrimSpace(in.ValidUntil)
	if until == "" && c.t.ValidityDays > 0 {
		until = fromT.AddDate(0, 0, c.t.ValidityDays-1).Format(time.DateOnly)
	}
	if until != "" {
		untilT, err := time.ParseInLocation(time.DateOnly, until, china)
		switch {
		case err != nil:
			v.Add("valid_until", "invalid_date", "有效期截止日须为 YYYY-MM-DD", "valid_until must be YYYY-MM-DD")
		case untilT.Before(fromT):
			v.Add("valid_until", "out_of_range", "有效期截止日不能早于起始日", "valid_until must not be before valid_from")
		case c.t.ValidityDays > 0 && untilT.After(fromT.AddDate(0, 0, c.t.ValidityDays-1)):
			v.Add("valid_until", "exceeds_term", "有效期超过证照类型规定的 "+strconv.Itoa(c.t.ValidityDays)+" 天", "the validity exceeds the type's term of "+strconv.Itoa(c.t.ValidityDays)+" days")
		}
	}
	l.ValidFrom, l.ValidUntil, l.IssueDate = from, until, today
}

// issuerOf checks that the caller may issue licenses of t and returns it.
func (s *Service) issuerOf(ctx context.Context, t Type, object string) (*huitong.Principal, error) {
	p, err := huitong.Require(ctx, huitong.RoleIssuer)
	if err != nil {
		if huitong.ErrorKind(err) == huitong.Forbidden {
			return nil, s.deny(ctx, audit.Entry{Action: ActionIssue, Object: object}, errNotIssuer())
		}
		return nil, err
	}
	if !t.CanIssue(p.OrgUSCC) {
		return nil, s.deny(ctx, audit.Entry{Action: ActionIssue, Object: object}, errNotIssuer())
	}
	return p, nil
}

// Issue issues a license: checks holder and content, assigns the serial,
// identifier and status list entry, signs the credential and stores it.
func (s *Service) Issue(ctx context.Context, in IssueInput) (License, error) {
	if _, err := huitong.Require(ctx); err != nil {
		return License{}, err
	}
	t, err := s.Type(ctx, strings.TrimSpace(in.TypeCode))
	if err != nil {
		return License{}, err
	}
	p, err := s.issuerOf(ctx, t, "license_type:"+t.Code)
	if err != nil {
		return License{}, err
	}
	now := s.now()
	c, err := newChecker(t, now)
	if err != nil {
		return License{}, err
	}
	l := License{TypeCode: t.Code, TypeName: t.Name, IssuerUSCC: p.OrgUSCC, IssuedAt: now, IssuedBy: p.Actor(), Version: 1, Status: Active}
	var v huitong.Validation
	c.content(&v, &l, in)
	if err := v.Err(); err != nil {
		return License{}, err
	}
	if err := s.assign(ctx, []*License{&l}); err != nil {
		return License{}, err
	}
	if err := s.sign(ctx, []*License{&l}); err != nil {
		return License{}, err
	}
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: ActionIssue, Object: "license:" + l.Identifier, Rule: "role:issuer",
		Subjects: []string{l.Holder.Code}, Detail: map[string]string{"type": t.Code}}); err != nil {
		return License{}, err
	}
	if err := s.Store.InsertLicenses(ctx, []License{l}); err != nil {
		return License{}, err
	}
	return s.present(l, now), nil
}

// assign gives licenses of one type and issuer their serials (year of
// issue and an 8-digit sequence), identifiers and status list entries.
func (s *Service) assign(ctx context.Context, ls []*License) error {
	if len(ls) == 0 {
		return nil
	}
	first := ls[0]
	year := first.IssueDate[:4]
	seq, err := s.take(ctx, int64(len(ls)),
		"license_serial:"+first.TypeCode+":"+first.IssuerUSCC+":"+year, "license_status:"+first.IssuerUSCC)
	if err != nil {
		return err
	}
	serial, status := seq[0], seq[1]
	for i, l := range ls {
		l.Serial = year + fmt.Sprintf("%08d", serial+int64(i))
		if err := s.identify(l, status+int64(i)); err != nil {
			return err
		}
	}
	return nil
}

// orgNameTTL is how long a verification may show an issuer's name read
// before: a renamed org shows its new name within it.
const orgNameTTL = time.Minute

type cachedName struct {
	name string
	at   time.Time
}

// orgName is OrgName with the names of issuers kept for orgNameTTL, for
// verifications.
func (s *Service) orgName(ctx context.Context, uscc string) (string, error) {
	now := s.Now()
	if v, ok := s.names.Load(uscc); ok && now.Sub(v.(cachedName).at) < orgNameTTL {
		return v.(cachedName).name, nil
	}
	name, err := s.OrgName(ctx, uscc)
	if err == nil {
		s.names.Store(uscc, cachedName{name: name, at: now})
	}
	return name, err
}

// seqBlock is how many serials and status positions one instance takes
// from the store at a time for single issues, so that most issues need no
// write of their own for them. Values taken and not used (at a restart)
// are gaps, never given twice, also across instances.
const seqBlock = 64

// seqRange is what is left of a block taken from a counter.
type seqRange struct{ next, end int64 }

// take returns n consecutive values of each counter: from blocks kept in
// memory for small n, else straight from the store.
func (s *Service) take(ctx context.Context, n int64, counters ...string) ([]int64, error) {
	if n >= seqBlock {
		return s.Store.NextLicenseSeq(ctx, n, counters...)
	}
	s.seqMu.Lock()
	defer s.seqMu.Unlock()
	if s.seqs == nil {
		s.seqs = map[string]*seqRange{}
	}
	var short []string
	for _, c := range counters {
		if r := s.seqs[c]; r == nil || r.end-r.next < n {
			short = append(short, c)
		}
	}
	if len(short) > 0 {
		first, err := s.Store.NextLicenseSeq(ctx, seqBlock, short...)
		if err != nil {
			return nil, err
		}
		for i, c := range short {
			s.seqs[c] = &seqRange{next: first[i], end: first[i] + seqBlock}
		}
	}
	out := make([]int64, len(counters))
	for i, c := range counters {
		r := s.seqs[c]
		out[i] = r.next
		r.next += n
	}
	return out, nil
}

// identify sets the identifier of l's serial and version, and its status
// entry from the issuer's n-th status position (1-based).
func (s *Service) identify(l *License, n int64) error {
	id, err := ids.MakeLicenseID(l.TypeCode, l.IssuerUSCC, l.Serial, fmt.Sprintf("%03d", l.Version))
	if err != nil {
		return err
	}
	l.Identifier = id.String()
	if l.Number == "" {
		l.Number = l.Serial
	}
	l.Jurisdiction = l.IssuerUSCC[2:8]
	l.StatusList, l.StatusIndex = int((n-1)/StatusListBits)+1, int((n-1)%StatusListBits)
	if s.Subject != nil {
		l.HolderSubject = s.Subject(l.Holder.Code)
	}
	return nil
}

// sign signs the credentials of licenses of one issuer.
func (s *Service) sign(ctx context.Context, ls []*License) error {
	if len(ls) == 0 {
		return nil
	}
	signer, err := s.Keys.Signer(ctx, ls[0].IssuerUSCC)
	if err != nil {
		return err
	}
	name, err := s.OrgName(ctx, ls[0].IssuerUSCC)
	if err != nil {
		return err
	}
	for _, l := range ls {
		l.IssuerName, l.KeyID = name, signer.Key.ID
		if l.Credential, err = signer.Sign(s.credential(l)); err != nil {
			return err
		}
	}
	return nil
}

// StatusListURL returns the URL of an issuer's status list.
func (s *Service) StatusListURL(issuer string, list int) string {
	return s.PublicURL + "/status/" + issuer + "/" + strconv.Itoa(list)
}

func dayStart(d string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, d, china)
	return t
}

// credential builds the credential of l.
func (s *Service) credential(l *License) Credential {
	from := dayStart(l.ValidFrom)
	c := Credential{
		Context: []string{ContextV2},
		ID:      CredentialID(l.Identifier),
		Type:    []string{"VerifiableCredential", CredentialType},
		Issuer:  Issuer{ID: IssuerID(l.IssuerUSCC), Name: l.IssuerName},
		Name:    l.TypeName, ValidFrom: from.Format(time.RFC3339),
		CredentialSubject: Subject{Type: "LicenseHolder", Identifier: l.Identifier, Number: l.Number, LicenseName: l.TypeName,
			TypeCode: l.TypeCode, HolderName: l.Holder.Name, HolderCode: l.Holder.Code, HolderCodeType: l.Holder.CodeType,
			IssuerName: l.IssuerName, IssuerCode: l.IssuerUSCC, IssueDate: l.IssueDate, Jurisdiction: l.Jurisdiction, Data: l.Data},
		CredentialStatus: &StatusEntry{
			ID:   s.StatusListURL(l.IssuerUSCC, l.StatusList) + "#" + strconv.Itoa(l.StatusIndex),
			Type: "BitstringStatusListEntry", StatusPurpose: StatusPurpose, StatusListIndex: strconv.Itoa(l.StatusIndex),
			StatusListCredential: s.StatusListURL(l.IssuerUSCC, l.StatusList),
		},
		JWTIssuer: IssuerID(l.IssuerUSCC), JWTID: CredentialID(l.Identifier), IssuedAt: l.IssuedAt.Unix(), NotBefore: from.Unix(),
	}
	if l.ValidUntil != "" {
		end := dayStart(l.ValidUntil).AddDate(0, 0, 1)
		c.ValidUntil, c.Expires = end.Format(time.RFC3339), end.Unix()
	}
	return c
}

// effective returns the status of l at now: expired for an active
// license past its last valid day.
func effective(l License, now time.Time) string {
	if l.Status == Active && l.ValidUntil != "" && !now.Before(dayStart(l.ValidUntil).AddDate(0, 0, 1)) {
		return StatusExpired
	}
	return l.Status
}

// present fills the derived fields of l for an answer.
func (s *Service) present(l License, now time.Time) License {
	l.Status = effective(l, now)
	l.VerifyURL = s.PublicURL + "/verify/" + l.Identifier
	l.QRPNGURL = l.VerifyURL + "/qr.png"
	l.QRSVGURL = l.VerifyURL + "/qr.svg"
	if l.Data == nil {
		l.Data = map[string]string{}
	}
	return l
}

// Revocation and versions.

// RevokeInput is an issuer's revocation.
type RevokeInput struct {
	Reason string `json:"reason"`
}

// own returns the license identifier names if the caller is an issuing
// officer of its issuer.
func (s *Service) own(ctx context.Context, action, identifier string) (License, *huitong.Principal, error) {
	if _, err := ids.ParseLicenseID(identifier); err != nil {
		return License{}, nil, errInvalidIdentifier(identifier, err)
	}
	p, err := huitong.Require(ctx, huitong.RoleIssuer)
	if err != nil && huitong.ErrorKind(err) != huitong.Forbidden {
		return License{}, nil, err
	}
	l, lerr := s.Store.GetLicense(ctx, identifier)
	if errors.Is(lerr, huitong.ErrNoRecord) {
		return License{}, nil, errLicenseNotFound(identifier)
	}
	if lerr != nil {
		return License{}, nil, lerr
	}
	if err != nil || l.IssuerUSCC != p.OrgUSCC {
		return License{}, nil, s.deny(ctx, audit.Entry{Action: action, Object: "license:" + identifier, Subjects: []string{l.Holder.Code}},
			huitong.Forbiddenf("not_issuer", "只有发证机构的发证人员可以办理", "only issuing officers of the issuing org may do this"))
	}
	return l, p, nil
}

// Revoke revokes an active license; its status list bit is set at once.
func (s *Service) Revoke(ctx context.Context, identifier string, in RevokeInput) (License, error) {
	l, p, err := s.own(ctx, ActionRevoke, identifier)
	if err != nil {
		return License{}, err
	}
	reason := strings.TrimSpace(in.Reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > MaxReason {
		return License{}, huitong.Invalidf("validation_failed", "须写明撤销原因（不超过 500 字）", "a reason is required (at most 500 characters)").
			WithDetails(huitong.FieldError{Field: "reason", Code: "required", Message: "须写明撤销原因", MessageEN: "a reason is required"})
	}
	if l.Status != Active {
		return License{}, errNotActive(identifier, l.Status)
	}
	now := s.now()
	if err := s.change(ctx, audit.Entry{Action: ActionRevoke, Object: "license:" + identifier, Rule: "role:issuer",
		Subjects: []string{l.Holder.Code}, Detail: map[string]string{"reason": huitong.Clip(reason, 200)}}, func() error {
		err := s.Store.RevokeLicense(ctx, identifier, now, p.Actor(), reason)
		if errors.Is(err, ErrStatusChanged) {
			return errNotActive(identifier, "changed")
		}
		return err
	}); err != nil {
		return License{}, err
	}
	l.Status, l.RevokedAt, l.RevokedBy, l.RevokeReason = Revoked, now, p.Actor(), reason
	return s.present(l, now), nil
}

// ReissueInput changes a license in a new version: data values given
// replace the old ones; validity and number keep the old ones when empty.
type ReissueInput struct {
	Data       map[string]any `json:"data"`
	Number     string         `json:"number"`
	ValidFrom  string         `json:"valid_from"`
	ValidUntil string         `json:"valid_until"`
	Reason     string         `json:"reason"`
}

// Reissue issues the next version of an active license and supersedes the
// old one, whose status list bit is set.
func (s *Service) Reissue(ctx context.Context, identifier string, in ReissueInput) (License, error) {
	old, p, err := s.own(ctx, ActionReissue, identifier)
	if err != nil {
		return License{}, err
	}
	if old.Status != Active {
		return License{}, errNotActive(identifier, old.Status)
	}
	if old.Version >= 999 {
		return License{}, huitong.Conflictf("version_exhausted", "证照版本号已用尽", "no license version is left after 999")
	}
	t, err := s.Type(ctx, old.TypeCode)
	if err != nil {
		return License{}, err
	}
	now := s.now()
	c, err := newChecker(t, now)
	if err != nil {
		return License{}, err
	}
	data := map[string]any{}
	for k, v := range old.Data {
		data[k] = v
	}
	for k, v := range in.Data {
		data[k] = v
	}
	next := IssueInput{TypeCode: t.Code, Holder: old.Holder, Data: data, Number: in.Number, ValidFrom: in.ValidFrom, ValidUntil: in.ValidUntil}
	if next.Number == "" {
		next.Number = old.Number
	}
	if next.ValidFrom == "" && next.ValidUntil == "" {
		next.ValidFrom, next.ValidUntil = old.ValidFrom, old.ValidUntil
	}
	l := License{TypeCode: t.Code, TypeName: t.Name, IssuerUSCC: old.IssuerUSCC, IssuedAt: now, IssuedBy: p.Actor(),
		Version: old.Version + 1, Serial: old.Serial, Status: Active, Replaces: old.Identifier}
	var v huitong.Validation
	c.content(&v, &l, next)
	if utf8.RuneCountInString(in.Reason) > MaxReason {
		v.Add("reason", "too_long", "原因过长", "the reason is too long")
	}
	if err := v.Err(); err != nil {
		return License{}, err
	}
	n, err := s.take(ctx, 1, "license_status:"+l.IssuerUSCC)
	if err != nil {
		return License{}, err
	}
	if err := s.identify(&l, n[0]); err != nil {
		return License{}, err
	}
	if err := s.sign(ctx, []*License{&l}); err != nil {
		return License{}, err
	}
	if err := s.change(ctx, audit.Entry{Action: ActionReissue, Object: "license:" + identifier, Rule: "role:issuer",
		Subjects: []string{l.Holder.Code}, Detail: map[string]string{"new": l.Identifier, "reason": huitong.Clip(in.Reason, 200)}}, func() error {
		err := s.Store.ReissueLicense(ctx, identifier, l)
		if errors.Is(err, ErrStatusChanged) {
			return errNotActive(identifier, "changed")
		}
		return err
	}); err != nil {
		return License{}, err
	}
	return s.present(l, now), nil
}

// Reading and search.

// Get returns a license to a department: to the issuer's officers, to
// auditors and admins, to the holder org, and to any other org only under
// a live consent of the holder, whose use is recorded with the holder as
// subject and counted (a one-time consent is then used up). Without
// consent nothing is returned.
func (s *Service) Get(ctx context.Context, identifier string) (License, error) {
	return s.read(ctx, identifier, true)
}

// Read is Get without using a consent: for the issuer's officers, auditors,
// admins and the holder org; others get Forbidden consent_required, with
// nothing read or recorded, so that a page view cannot spend a consent.
func (s *Service) Read(ctx context.Context, identifier string) (License, error) {
	return s.read(ctx, identifier, false)
}

func (s *Service) read(ctx context.Context, identifier string, use bool) (License, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return License{}, err
	}
	if _, err := ids.ParseLicenseID(identifier); err != nil {
		return License{}, errInvalidIdentifier(identifier, err)
	}
	l, err := s.Store.GetLicense(ctx, identifier)
	if errors.Is(err, huitong.ErrNoRecord) {
		return License{}, errLicenseNotFound(identifier)
	}
	if err != nil {
		return License{}, err
	}
	now := s.now()
	e := audit.Entry{Action: ActionRead, Object: "license:" + identifier, Subjects: []string{l.Holder.Code}}
	switch {
	case p.InOrg(l.IssuerUSCC) && p.HasRole(huitong.RoleIssuer):
		e.Rule = "issuer"
	case p.HasRole(huitong.RoleAuditor) || p.IsAdmin():
		e.Rule = roleRule(p)
	case l.Holder.CodeType == CodeTypeUSCC && p.InOrg(l.Holder.Code) && !p.HasRole(huitong.RoleCitizen):
		e.Rule = "holder"
	case !use:
		return License{}, huitong.Forbiddenf("consent_required", "读取该证照须使用持证人的授权，每次使用都会计入授权并记入持证人的使用记录",
			"reading this license uses the holder's consent; each use counts against it and shows in the holder's access history")
	default:
		e.Action = ActionUse
		if err := s.useConsent(ctx, &e, identifier, p.OrgUSCC, now); err != nil {
			return License{}, err
		}
		return s.present(l, now), nil
	}
	if _, err := s.Audit.Append(ctx, e); err != nil {
		return License{}, err
	}
	return s.present(l, now), nil
}

// useConsent records and counts one use of a live consent of grantee for
// the license; the record comes first, and a consent used up or withdrawn
// meanwhile gets a failure record and the next consent is tried. Without
// one the refusal is recorded and returned.
func (s *Service) useConsent(ctx context.Context, e *audit.Entry, identifier, grantee string, now time.Time) error {
	consents, err := s.Store.LiveConsents(ctx, identifier, grantee, now)
	if err != nil {
		return err
	}
	for _, c := range consents {
		if c.status(now) != ConsentLive {
			continue
		}
		e.Rule, e.Purpose = "consent:"+strconv.FormatInt(c.ID, 10), c.Purpose
		if _, err := s.Audit.Append(ctx, *e); err != nil {
			return err
		}
		err := s.Store.UseConsent(ctx, c.ID, now, c.OneTime)
		if err == nil {
			return nil
		}
		f := *e
		f.Outcome, f.Reason = audit.Failed, "consent_changed"
		if _, aerr := s.Audit.Append(ctx, f); aerr != nil {
			return aerr
		}
		if !errors.Is(err, ErrStatusChanged) {
			return err
		}
	}
	e.Rule, e.Purpose = "", ""
	return s.deny(ctx, *e, huitong.Forbiddenf("no_consent", "持证人未授权本单位使用该证照，或授权已过期、已撤回、已用完", "the holder has not consented to your org's use of this license, or the consent expired, was withdrawn or used up"))
}

// Query selects licenses to list.
type Query struct {
	TypeCode   string
	HolderCode string
	Status     string
	IssuedFrom string
	IssuedTo   string
	Limit      int
	PageToken  string
}

// Page is one page of a listing.
type Page[T any] struct {
	Items         []T    `json:"items"`
	NextPageToken string `json:"next_page_token"`
}

// Statuses a listing may filter on.
var listStatuses = []string{Active, Revoked, Superseded, StatusExpired}

// List lists licenses: auditors and admins see all, issuers their org's,
// and an org its own licenses (holder_code its USCC). Credentials are left
// out.
func (s *Service) List(ctx context.Context, q Query) (Page[License], error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return Page[License]{}, err
	}
	now := s.now()
	f := Filter{TypeCode: q.TypeCode, HolderCode: strings.ToUpper(strings.TrimSpace(q.HolderCode)), Status: q.Status, Now: now,
		IssuedFrom: q.IssuedFrom, IssuedTo: q.IssuedTo}
	switch {
	case p.HasRole(huitong.RoleAuditor) || p.IsAdmin():
	case p.HasRole(huitong.RoleIssuer) && f.HolderCode != p.OrgUSCC:
		f.IssuerUSCC = p.OrgUSCC
	case f.HolderCode == p.OrgUSCC && !p.HasRole(huitong.RoleCitizen):
	default:
		return Page[License]{}, huitong.Forbiddenf("forbidden", "只有发证人员、审计人员和持证单位可以查询证照", "only issuers, auditors and holder orgs may list licenses")
	}
	page, err := s.list(ctx, f, q)
	if err != nil || len(page.Items) == 0 {
		return page, err
	}
	// A listing reads the licenses it shows: one record a page, with every
	// holder as subject, so that it shows in citizens' access histories.
	seen := map[string]bool{}
	var subjects []string
	for _, l := range page.Items {
		if !seen[l.Holder.Code] {
			seen[l.Holder.Code] = true
			subjects = append(subjects, l.Holder.Code)
		}
	}
	rule := roleRule(p)
	if f.IssuerUSCC == "" && !p.HasRole(huitong.RoleAuditor) && !p.IsAdmin() {
		rule = "holder"
	}
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: ActionList, Object: "licenses", Rule: rule, Subjects: subjects,
		Detail: map[string]string{"count": strconv.Itoa(len(page.Items)), "type": huitong.Clip(f.TypeCode, 40), "status": huitong.Clip(f.Status, 20)}}); err != nil {
		return Page[License]{}, err
	}
	return page, nil
}

// Mine lists the calling citizen's licenses, with their credentials.
func (s *Service) Mine(ctx context.Context, q Query) (Page[License], error) {
	subject, err := s.CitizenSubject(ctx)
	if err != nil {
		return Page[License]{}, err
	}
	return s.list(ctx, Filter{HolderSubject: subject, TypeCode: q.TypeCode, Status: q.Status, Now: s.now()}, q)
}

func (s *Service) list(ctx context.Context, f Filter, q Query) (Page[License], error) {
	var v huitong.Validation
	if f.Status != "" && !contains(listStatuses, f.Status) {
		v.Add("status", "invalid_enum", "状态须为 active、revoked、superseded 或 expired", "status must be active, revoked, superseded or expired")
	}
	for name, d := range map[string]string{"issued_from": f.IssuedFrom, "issued_to": f.IssuedTo} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			v.Add(name, "invalid_date", "日期须为 YYYY-MM-DD", "a date must be YYYY-MM-DD")
		}
	}
	switch {
	case q.Limit == 0:
		q.Limit = 50
	case q.Limit < 0 || q.Limit > 500:
		v.Add("page_size", "out_of_range", "每页条数须在 1 到 500 之间", "page_size must be 1 to 500")
	}
	if q.PageToken != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(q.PageToken, "l"), 10, 64)
		if err != nil || n <= 0 || !strings.HasPrefix(q.PageToken, "l") {
			v.Add("page_token", "invalid_page_token", "翻页令牌无效", "invalid page token")
		}
		f.BeforeSeq = n
	}
	if err := v.Err(); err != nil {
		return Page[License]{}, err
	}
	f.Limit = q.Limit + 1
	ls, seqs, err := s.Store.ListLicenses(ctx, f)
	if err != nil {
		return Page[License]{}, err
	}
	page := Page[License]{Items: []License{}}
	for i, l := range ls {
		if i == q.Limit {
			page.NextPageToken = "l" + strconv.FormatInt(seqs[i-1], 10)
			break
		}
		l.Credential = ""
		page.Items = append(page.Items, s.present(l, f.Now))
	}
	if f.HolderSubject != "" {
		// A holder's own listing carries the credentials to show.
		for i := range page.Items {
			page.Items[i].Credential = ls[i].Credential
		}
	}
	return page, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Views for verifiers.

// View is what a verifier sees of a license: core metadata with the holder
// and the fields masked per their grade (levels 1 and 2 in clear).
type View struct {
	Identifier     string            `json:"identifier"`
	Version        int               `json:"version"`
	TypeCode       string            `json:"type_code"`
	TypeName       string            `json:"type_name"`
	Number         string            `json:"number"`
	HolderName     string            `json:"holder_name"`
	HolderCode     string            `json:"holder_code"`
	HolderCodeType string            `json:"holder_code_type"`
	IssueDate      string            `json:"issue_date"`
	ValidFrom      string            `json:"valid_from"`
	ValidUntil     string            `json:"valid_until,omitempty"`
	Jurisdiction   string            `json:"jurisdiction"`
	Data           map[string]string `json:"data"`
	Fields         []FieldView       `json:"fields"`
	SupersededBy   string            `json:"superseded_by,omitempty"`
}

// FieldView is one field of a View, in the type's order, with its title.
type FieldView struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Value string `json:"value"`
}

// view masks the subject of a credential per the fields of its type,
// leaving out fields above maxLevel.
func view(sub Subject, version int, t *Type, maxLevel int) *View {
	v := &View{Identifier: sub.Identifier, Version: version, TypeCode: sub.TypeCode, TypeName: sub.LicenseName, Number: sub.Number,
		HolderName: masking.Name(sub.HolderName), HolderCode: sub.HolderCode, HolderCodeType: sub.HolderCodeType,
		IssueDate: sub.IssueDate, Jurisdiction: sub.Jurisdiction, Data: map[string]string{}, Fields: []FieldView{}}
	if sub.HolderCodeType != CodeTypeUSCC {
		// An org's name and USCC are public; a citizen's are not.
		v.HolderCode = masking.IDCard(sub.HolderCode)
	} else {
		v.HolderName = sub.HolderName
	}
	var m *masking.Masker
	if t != nil {
		for _, f := range t.Fields {
			val, ok := sub.Data[f.Name]
			if !ok || f.Level > maxLevel {
				continue
			}
			shown, _ := m.Apply(masking.ForField(f.PII, f.Level, false), val).(string)
			v.Data[f.Name] = shown
			v.Fields = append(v.Fields, FieldView{Name: f.Name, Title: f.Title, Value: shown})
		}
	}
	return v
}

// IssuerView names the issuer of a verified license.
type IssuerView struct {
	USCC  string `json:"uscc"`
	Name  string `json:"name"`
	KeyID string `json:"key_id"`
}

// Result is the answer of a verification.
type Result struct {
	Valid     bool        `json:"valid"`
	Status    string      `json:"status"`
	Reason    string      `json:"reason,omitempty"`
	License   *View       `json:"license,omitempty"`
	Issuer    *IssuerView `json:"issuer,omitempty"`
	CheckedAt time.Time   `json:"checked_at"`
	// StatusListFrom is when the status list an offline check used was
	// made: revocations after it are not seen.
	StatusListFrom string `json:"status_list_valid_from,omitempty"`
}

// VerifyInput names what to verify: a credential, or an identifier.
type VerifyInput struct {
	Credential string `json:"credential"`
	Identifier string `json:"identifier"`
}

// Verify checks a credential or an identifier for anyone: is the license
// genuine (signed by a published key of the issuer it names), current and
// not revoked or superseded. It never answers valid for a bad signature, an
// unknown key, alg none, a changed payload, an expired or revoked license.
func (s *Service) Verify(ctx context.Context, in VerifyInput) (Result, error) {
	now := s.now()
	cred, id := strings.TrimSpace(in.Credential), strings.TrimSpace(in.Identifier)
	var stored *License // read already, when verifying by identifier
	switch {
	case cred == "" && id == "":
		return Result{}, huitong.Invalidf("validation_failed", "须提供 credential 或 identifier", "give credential or identifier").
			WithDetails(huitong.FieldError{Field: "credential", Code: "required", Message: "须提供 credential 或 identifier", MessageEN: "give credential or identifier"})
	case cred == "":
		if err := s.limitLookup(ctx); err != nil {
			return Result{}, err
		}
		if _, err := ids.ParseLicenseID(id); err != nil {
			return Result{Status: StatusMalformed, Reason: "not a GB/T 36904 identifier: " + err.Error(), CheckedAt: now}, nil
		}
		l, err := s.Store.GetLicense(ctx, id)
		if errors.Is(err, huitong.ErrNoRecord) {
			return Result{Status: StatusNotFound, Reason: "no license with this identifier in this library", CheckedAt: now}, nil
		}
		if err != nil {
			return Result{}, err
		}
		cred, stored = l.Credential, &l
	}
	ck := CheckSignature(cred, func(kid string) (Key, bool) {
		k, ok, err := s.Keys.Lookup(ctx, kid)
		return k, ok && err == nil
	})
	r := Result{Status: ck.Status, Reason: ck.Reason, CheckedAt: now}
	if ck.Status != "" {
		return r, nil
	}
	sub := ck.Credential.CredentialSubject
	name := ck.Credential.Issuer.Name
	if n, err := s.orgName(ctx, ck.Key.IssuerUSCC); err == nil {
		name = n
	}
	r.Issuer = &IssuerView{USCC: ck.Key.IssuerUSCC, Name: name, KeyID: ck.Key.ID}
	t, err := s.Type(ctx, sub.TypeCode)
	if huitong.ErrorKind(err) == huitong.NotFound {
		r.Status, r.Reason = StatusNotFound, "no such license type in this library"
		return r, nil
	}
	if err != nil {
		return Result{}, err
	}
	if !t.CanIssue(ck.Key.IssuerUSCC) {
		r.Status, r.Reason = StatusBadSignature, "the signer may not issue this license type"
		return r, nil
	}
	var l License
	if stored != nil && stored.Identifier == sub.Identifier {
		l = *stored
	} else {
		var err error
		l, err = s.Store.GetLicense(ctx, sub.Identifier)
		if errors.Is(err, huitong.ErrNoRecord) {
			r.Status, r.Reason = StatusNotFound, "no license with this identifier in this library"
			return r, nil
		}
		if err != nil {
			return Result{}, err
		}
	}
	if l.Credential != cred {
		// Signed by the issuer's key, but not what it issued under this
		// identifier.
		r.Status, r.Reason = StatusBadSignature, "not the credential issued under this identifier"
		return r, nil
	}
	// Who has only the identifier sees the core metadata and level-1
	// fields; who shows the credential sees fields masked per grade.
	maxLevel := 3
	if in.Credential == "" {
		maxLevel = 1
	}
	r.License = view(sub, l.Version, &t, maxLevel)
	r.License.ValidFrom, r.License.ValidUntil = ck.Credential.days()
	r.License.SupersededBy = l.SupersededBy
	r.Status = effective(l, now)
	if r.Status == StatusRevoked {
		r.Reason = "revoked by the issuer"
	}
	if r.Status == StatusActive {
		r.Status = ck.Credential.Period(now)
	}
	r.Valid = r.Status == StatusActive
	return r, nil
}

// Status lists and keys.

// StatusList returns the signed status list credential of an issuer's
// list n, rebuilt when a license was revoked or re-issued since.
func (s *Service) StatusList(ctx context.Context, issuer string, n int) (string, error) {
	if err := ids.ValidateUSCC(issuer); err != nil || n < 1 || n > 1000 {
		return "", huitong.NotFoundf("status_list_not_found", "状态列表不存在", "no such status list")
	}
	rev, err := s.Store.LicenseRev(ctx)
	if err != nil {
		return "", err
	}
	key := issuer + "/" + strconv.Itoa(n)
	s.statusMu.Lock()
	defer s.statusMu.Unlock()
	if c, ok := s.lists[key]; ok && c.rev == rev {
		return c.token, nil
	}
	keys, err := s.Keys.Keys(ctx)
	if err != nil {
		return "", err
	}
	hasKey := false
	for _, k := range keys {
		hasKey = hasKey || k.IssuerUSCC == issuer
	}
	if !hasKey {
		return "", huitong.NotFoundf("status_list_not_found", "该机构尚未签发证照，没有状态列表", "this org has issued no license and has no status list")
	}
	set, err := s.Store.SetStatusIndexes(ctx, issuer, n)
	if err != nil {
		return "", err
	}
	enc, err := EncodeList(set)
	if err != nil {
		return "", err
	}
	signer, err := s.Keys.Signer(ctx, issuer)
	if err != nil {
		return "", err
	}
	name, _ := s.OrgName(ctx, issuer)
	now := s.now()
	url := s.StatusListURL(issuer, n)
	token, err := signer.Sign(StatusListCredential{
		Context: []string{ContextV2}, ID: url, Type: []string{"VerifiableCredential", "BitstringStatusListCredential"},
		Issuer: Issuer{ID: IssuerID(issuer), Name: name}, ValidFrom: now.In(china).Format(time.RFC3339),
		CredentialSubject: StatusListSubject{ID: url + "#list", Type: "BitstringStatusList", StatusPurpose: StatusPurpose, EncodedList: enc},
		JWTIssuer:         IssuerID(issuer), IssuedAt: now.Unix(),
	})
	if err != nil {
		return "", err
	}
	if s.lists == nil {
		s.lists = map[string]cachedList{}
	}
	s.lists[key] = cachedList{rev: rev, token: token}
	return token, nil
}

// RotateKey makes a new signing key for an org; the old one stays
// published. Admins may rotate any org's key, issuers their own org's.
func (s *Service) RotateKey(ctx context.Context, uscc string) (Key, error) {
	p, err := huitong.Require(ctx, huitong.RoleAdmin, huitong.RoleIssuer)
	if err != nil {
		return Key{}, err
	}
	if !p.IsAdmin() && !p.InOrg(uscc) {
		return Key{}, s.deny(ctx, audit.Entry{Action: ActionRotate, Object: "org:" + huitong.Clip(uscc, 40)}, errNotIssuer())
	}
	if _, err := s.OrgName(ctx, uscc); err != nil {
		if errors.Is(err, huitong.ErrNoRecord) {
			return Key{}, huitong.NotFoundf("org_not_found", "单位 %s 不存在", "org %s not found", huitong.Clip(uscc, 40))
		}
		return Key{}, err
	}
	if _, err := s.Audit.Append(ctx, audit.Entry{Action: ActionRotate, Object: "org:" + uscc, Rule: roleRule(p)}); err != nil {
		return Key{}, err
	}
	return s.Keys.Rotate(ctx, uscc)
}
