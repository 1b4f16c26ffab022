package org

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"huitong"
	"huitong/internal/audit"
)

// LoginResult is the answer to a successful login.
type LoginResult struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      User      `json:"user"`
}

var errBadCredentials = &huitong.Error{Kind: huitong.Unauthenticated, Code: "invalid_credentials",
	Message: "用户名或密码错误", MessageEN: "wrong username or password"}

func errLocked(until, now time.Time) error {
	secs := int(until.Sub(now).Seconds()) + 1
	return &huitong.Error{Kind: huitong.RateLimited, Code: "account_locked",
		Message:    "登录失败次数过多，账号已锁定，请 " + until.Local().Format("15:04") + " 后再试",
		MessageEN:  "too many failed logins: the account is locked until " + until.Format(time.RFC3339),
		RetryAfter: secs}
}

// Login checks a username and password and returns a new session token for
// the internal listener. Ten failures within fifteen minutes lock the
// account for fifteen minutes. Every attempt is audited.
// Errors: Unauthenticated (invalid_credentials), RateLimited
// (account_locked), Forbidden (account_disabled, citizen_account),
// Unavailable (audit_unavailable).
func (s *Service) Login(ctx context.Context, username, password string) (LoginResult, error) {
	return s.login(ctx, username, password, false)
}

// LoginCitizen is Login for the public listener: only users with the role
// citizen may log in there. Errors: as Login, and Forbidden (not_citizen).
func (s *Service) LoginCitizen(ctx context.Context, username, password string) (LoginResult, error) {
	return s.login(ctx, username, password, true)
}

func (s *Service) login(ctx context.Context, username, password string, public bool) (LoginResult, error) {
	now := s.now()
	action := "auth.login"
	if public {
		action = "auth.login_citizen"
	}
	u, err := s.Store.GetUserByName(ctx, strings.TrimSpace(username))
	if errors.Is(err, huitong.ErrNoRecord) || (err == nil && len(password) > 1024) {
		// Spend the same time as a real check so that timing does not tell
		// which usernames exist. The name tried is not recorded: people
		// type passwords into the wrong box.
		CheckPassword(password, s.dummy())
		if err := s.record(ctx, audit.Entry{Action: action, Object: "user:?", Outcome: audit.Denied,
			Reason: "invalid_credentials", Actor: "anonymous"}); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, errBadCredentials
	}
	if err != nil {
		return LoginResult{}, huitong.Fault("org get user", err)
	}
	who := audit.Entry{Action: action, Object: "user:" + u.Username, Actor: huitong.PrincipalUser + ":" + u.Username, ActorOrg: u.OrgUSCC}
	fail := func(e error) (LoginResult, error) {
		rec := who
		rec.Outcome, rec.Reason = audit.Denied, huitong.ErrorCode(e)
		if err := s.record(ctx, rec); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, e
	}
	if u.LockedUntil != nil && u.LockedUntil.After(now) {
		return fail(errLocked(*u.LockedUntil, now))
	}
	ok, err := CheckPassword(password, u.PasswordHash)
	if err != nil {
		return LoginResult{}, huitong.Fault("org check password", err)
	}
	if !ok {
		until := now.Add(LockDuration)
		locked, err := s.Store.RecordLoginFailure(ctx, u.ID, now, now.Add(-LockWindow), LockThreshold, until)
		if err != nil {
			return LoginResult{}, huitong.Fault("org record login failure", err)
		}
		if locked {
			return fail(errLocked(until, now))
		}
		return fail(errBadCredentials)
	}
	if u.Disabled {
		return fail(huitong.Forbiddenf("account_disabled", "账号已停用", "the account is disabled"))
	}
	isCitizen := slices.Contains(u.Roles, huitong.RoleCitizen)
	if public && !isCitizen {
		return fail(huitong.Forbiddenf("not_citizen", "此入口仅供公众用户登录，工作人员请使用政务外网入口", "only citizen users log in here; officers use the internal address"))
	}
	if !public && isCitizen && len(u.Roles) == 1 {
		return fail(huitong.Forbiddenf("citizen_account", "公众用户请通过互联网公众服务入口登录", "citizen users log in on the public address"))
	}
	if err := s.Store.ClearLoginFailures(ctx, u.ID); err != nil {
		return LoginResult{}, huitong.Fault("org clear login failures", err)
	}
	tok, hash := newToken(sessionPrefix)
	exp := now.Add(s.SessionTTL)
	tid, err := s.Store.CreateToken(ctx, Token{Hash: hash, Kind: TokenSession, UserID: u.ID, CreatedAt: now, ExpiresAt: exp})
	if err != nil {
		return LoginResult{}, huitong.Fault("org create token", err)
	}
	who.Outcome = audit.Allowed
	who.Detail = map[string]string{"token_id": strconv.FormatInt(tid, 10)}
	if err := s.record(ctx, who); err != nil {
		s.revokeToken(ctx, tid, now)
		return LoginResult{}, err
	}
	u.LockedUntil = nil
	return LoginResult{Token: tok, ExpiresAt: exp, User: u}, nil
}

func (s *Service) dummy() string {
	s.dummyOnce.Do(func() { s.dummyHash, _ = HashPassword("dummy-password-0", s.Argon2) })
	return s.dummyHash
}

// Logout revokes the token the caller authenticated with.
// Errors: Unauthenticated.
func (s *Service) Logout(ctx context.Context) error {
	p, err := huitong.Require(ctx)
	if err != nil {
		return err
	}
	if p.Kind != huitong.PrincipalUser {
		return huitong.Invalidf("not_a_session", "应用令牌不能注销，请撤销应用", "app tokens cannot log out; revoke the app instead")
	}
	return s.change(ctx, audit.Entry{Action: "auth.logout", Object: "user:" + p.Name,
		Detail: map[string]string{"token_id": strconv.FormatInt(p.TokenID, 10)}}, func() error {
		if err := s.revokeToken(ctx, p.TokenID, s.now()); err != nil {
			return huitong.Fault("org revoke token", err)
		}
		return nil
	})
}

var errBadToken = &huitong.Error{Kind: huitong.Unauthenticated, Code: "invalid_token",
	Message: "访问令牌无效、已过期或已撤销", MessageEN: "the token is invalid, expired or revoked"}

// Authenticate returns the principal a bearer token stands for.
// Errors: Unauthenticated (invalid_token).
func (s *Service) Authenticate(ctx context.Context, bearer string) (*huitong.Principal, error) {
	if !looksLikeToken(bearer) {
		return nil, errBadToken
	}
	hash := sha256.Sum256([]byte(bearer))
	ttl := s.authTTL()
	e, ok := s.auth.Get(hash, ttl)
	if !ok {
		gen := s.auth.Generation()
		t, p, err := s.Store.LookupToken(ctx, hash[:])
		if errors.Is(err, huitong.ErrNoRecord) {
			return nil, errBadToken
		}
		if err != nil {
			return nil, huitong.Fault("org lookup token", err)
		}
		e = authEntry{tok: t, p: p}
		if ttl > 0 {
			s.auth.Put(hash, e, gen, time.Now())
		}
	}
	now := s.now()
	if !e.tok.RevokedAt.IsZero() || (!e.tok.ExpiresAt.IsZero() && !now.Before(e.tok.ExpiresAt)) {
		return nil, errBadToken
	}
	p := e.p // a copy: the caller may set its fields, and its roles
	p.Roles = slices.Clone(p.Roles)
	p.TokenID = e.tok.ID
	return &p, nil
}

func (s *Service) authTTL() time.Duration {
	if s.AuthCacheTTL == 0 {
		return DefaultAuthCacheTTL
	}
	return max(s.AuthCacheTTL, 0)
}

// revokeToken revokes a token in the store and forgets cached tokens.
func (s *Service) revokeToken(ctx context.Context, id int64, at time.Time) error {
	defer s.auth.Invalidate()
	return s.Store.RevokeToken(ctx, id, at)
}

// revokeApp revokes an app and its tokens in the store and forgets cached
// tokens.
func (s *Service) revokeApp(ctx context.Context, id int64, at time.Time) error {
	defer s.auth.Invalidate()
	return s.Store.RevokeApp(ctx, id, at)
}

// Me describes the caller.
type Me struct {
	Kind string `json:"kind"`
	User *User  `json:"user,omitempty"`
	App  *App   `json:"app,omitempty"`
	Org  Org    `json:"org"`
}

// Me returns the caller with its org. Errors: Unauthenticated.
func (s *Service) Me(ctx context.Context) (Me, error) {
	p, err := huitong.Require(ctx)
	if err != nil {
		return Me{}, err
	}
	m := Me{Kind: p.Kind}
	if p.Kind == huitong.PrincipalUser {
		u, err := s.Store.GetUser(ctx, p.ID)
		if err != nil {
			return Me{}, huitong.Fault("org get user", err)
		}
		m.User = &u
	} else {
		a, err := s.Store.GetApp(ctx, p.ID)
		if err != nil {
			return Me{}, huitong.Fault("org get app", err)
		}
		m.App = &a
	}
	m.Org, err = s.lookupOrg(ctx, p.OrgUSCC)
	return m, err
}

// Bootstrap prepares an empty store: it registers the operator org and an
// admin user. When password is empty a random one is generated and returned
// so that it can be shown once. On a store that already has users it does
// nothing and returns created false.
func (s *Service) Bootstrap(ctx context.Context, operator OrgInput, password string) (generated string, created bool, err error) {
	n, err := s.Store.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", false, err
	}
	if _, err := s.Store.GetOrg(ctx, operator.USCC); errors.Is(err, huitong.ErrNoRecord) {
		o, err := s.validateOrg(ctx, operator)
		if err != nil {
			return "", false, err
		}
		err = s.change(ctx, audit.Entry{Action: "org.create", Object: "org:" + o.USCC, Subjects: []string{o.USCC},
			Actor: "system", Rule: "bootstrap", Detail: map[string]string{"name": o.Name}}, func() error {
			if err := s.Store.CreateOrg(ctx, o); err != nil && !errors.Is(err, huitong.ErrDuplicate) {
				return err
			}
			return nil
		})
		if err != nil {
			return "", false, err
		}
	} else if err != nil {
		return "", false, err
	}
	if password == "" {
		password = RandomPassword()
		generated = password
	}
	_, err = s.createUser(ctx, UserInput{Username: "admin", Password: password, DisplayName: "平台管理员",
		OrgUSCC: operator.USCC, Roles: []string{huitong.RoleAdmin}}, audit.Entry{Actor: "system", Rule: "bootstrap"})
	if huitong.ErrorCode(err) == "username_taken" {
		// Another instance sharing the database won the race.
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return generated, true, nil
}

// CitizenSubject returns the audit subject of the calling citizen's own ID
// number, the key of their access history.
// Errors: Unauthenticated, Forbidden (not_citizen).
func (s *Service) CitizenSubject(ctx context.Context) (string, error) {
	p, err := huitong.Require(ctx, huitong.RoleCitizen)
	if err != nil || p.Kind != huitong.PrincipalUser {
		if err == nil || huitong.ErrorKind(err) == huitong.Forbidden {
			err = huitong.Forbiddenf("not_citizen", "仅公众用户可查看本人数据使用记录", "only citizen users have an access history of their own")
		}
		return "", err
	}
	u, err := s.Store.GetUser(ctx, p.ID)
	if err != nil {
		return "", huitong.Fault("org get user", err)
	}
	if u.Subject == "" {
		return "", huitong.Forbiddenf("not_citizen", "账号未登记经核验的公民身份号码", "the account has no verified ID number")
	}
	return u.Subject, nil
}
