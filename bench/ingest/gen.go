package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"huitong/bench/internal/benchutil"
	"huitong/internal/catalog"
	"huitong/internal/ids"
)

// genVersion changes whenever the generated data changes, so that cached
// files from an older generator are not reused.
const genVersion = 1

// header is the file's header row: the titles of the resource's fields.
var header = []string{"公民身份号码", "姓名", "性别", "出生日期", "联系电话", "统一社会信用代码", "参保状态", "月缴费基数", "参保日期", "备注"}

// benchFields is the resource the data goes into: a social insurance
// register (as the demo's 社会保险参保信息), keyed by the ID number.
func benchFields() []catalog.Field {
	return []catalog.Field{
		{Name: "id_card", Title: "公民身份号码", Type: "string", Level: 3, PII: "id_card", Key: true, Required: true},
		{Name: "name", Title: "姓名", Type: "string", Level: 3, PII: "name", Required: true},
		{Name: "gender", Title: "性别", Type: "string", Level: 2, Enum: []string{"男", "女"}},
		{Name: "birth_date", Title: "出生日期", Type: "date", Level: 3, PII: "birth_date"},
		// Level 4: stored encrypted (AES-GCM), so the sealing path is measured.
		{Name: "phone", Title: "联系电话", Type: "string", Level: 4, PII: "phone"},
		{Name: "employer_uscc", Title: "统一社会信用代码", Type: "string", Level: 2, PII: "uscc", Indexed: true},
		{Name: "insured_status", Title: "参保状态", Type: "string", Level: 2, Required: true, Enum: []string{"参保缴费", "暂停缴费", "终止参保"}},
		{Name: "contribution_base", Title: "月缴费基数", Type: "decimal", Level: 3, Min: "0", Max: "100000"},
		{Name: "insured_date", Title: "参保日期", Type: "date", Level: 2},
		{Name: "remark", Title: "备注", Type: "string", Level: 1, MaxLength: 200},
	}
}

// dataset describes a generated file pair.
type dataset struct {
	Version  int    `json:"version"`
	Seed     uint64 `json:"seed"`
	Rows     int    `json:"rows"`
	CSV      string `json:"csv"`
	XLSX     string `json:"xlsx,omitempty"`
	CSVSize  int64  `json:"csv_size"`
	XLSXSize int64  `json:"xlsx_size,omitempty"`
	// Bad rows by kind: what the generator broke on purpose.
	BadCheck int `json:"bad_check"` // wrong ID check character
	BadEnum  int `json:"bad_enum"`  // a value outside an enum
	BadDate  int `json:"bad_date"`  // an impossible date
}

func (d dataset) bad() int { return d.BadCheck + d.BadEnum + d.BadDate }

// candidateRegions are county-level GB/T 2260 codes; those the embedded
// table does not know are dropped at start.
var candidateRegions = []string{
	"110101", "110102", "110105", "110106", "110108", "120101", "120104", "130102", "130104", "140105",
	"210102", "210202", "220102", "230102", "310101", "310104", "310105", "310112", "310115", "320102",
	"320106", "320505", "330102", "330106", "330502", "330503", "340102", "350102", "350203", "360102",
	"370102", "370202", "410105", "420102", "420106", "430102", "440103", "440106", "440304", "440305",
	"450102", "500103", "510104", "510107", "530102", "610103", "610113", "620102",
}

func knownRegions() ([]string, error) {
	var out []string
	for _, r := range candidateRegions {
		if ids.KnownRegion(r) {
			out = append(out, r)
		}
	}
	if len(out) < 20 {
		return nil, fmt.Errorf("only %d of the candidate region codes are known", len(out))
	}
	return out, nil
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given    = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣悦晨晓雪琳思婷雨佳子涵梓轩博文一诺")
	remarks  = []string{"灵活就业人员", "单位代缴", "补缴2019年度", "外省转入", "跨省转移接续中", "退役军人", "原单位破产改制，2018年转入"}
	mobile   = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "147", "150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "170", "173", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"}
)

// generator makes the rows of one file. Row i's ID number is unique: the
// (region, birth day, sequence) triple is a bijection of a permutation of
// i.
type generator struct {
	rows      int
	rng       *rand.Rand
	regions   []string
	employers []string
	perm      int // multiplier coprime with rows
	birth0    time.Time
	days      int
}

func newGenerator(rows int, seed uint64) (*generator, error) {
	regions, err := knownRegions()
	if err != nil {
		return nil, err
	}
	g := &generator{rows: rows, rng: rand.New(rand.NewPCG(seed, uint64(rows))), regions: regions,
		birth0: time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), days: 20000}
	if rows > len(regions)*g.days*500 {
		return nil, fmt.Errorf("at most %d rows", len(regions)*g.days*500)
	}
	for g.perm = 7919; gcd(g.perm, rows) != 1; g.perm += 2 {
	}
	for range 5000 {
		var org [9]byte
		for j := range org {
			org[j] = ids.USCCAlphabet[g.rng.IntN(len(ids.USCCAlphabet))]
		}
		prefix := []string{"91", "91", "91", "92", "12", "52"}[g.rng.IntN(6)]
		u, err := ids.MakeUSCC(prefix, regions[g.rng.IntN(len(regions))], string(org[:]))
		if err != nil {
			return nil, err
		}
		g.employers = append(g.employers, u)
	}
	return g, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// badKind says how a row is broken on purpose.
type badKind int

const (
	badNone badKind = iota
	badCheck
	badEnum
	badDate
)

// row returns the cells of row i (0-based) and how it was broken. The
// contribution base is also returned as a number for the XLSX file.
func (g *generator) row(i int) ([]string, float64, badKind) {
	r := g.rng
	k := int((int64(i) * int64(g.perm)) % int64(g.rows))
	region := g.regions[k%len(g.regions)]
	j := k / len(g.regions)
	day := j % g.days
	pair := j / g.days
	male := r.IntN(2)
	seq := 2*((pair*137+day)%500) + male
	birth := g.birth0.AddDate(0, 0, day)
	id, err := ids.MakeIDCard(region, birth, seq)
	if err != nil {
		panic(err)
	}
	gender := "女"
	if male == 1 {
		gender = "男"
	}
	var birthS string
	switch i % 3 {
	case 0:
		birthS = birth.Format("2006-01-02")
	case 1:
		birthS = birth.Format("2006/1/2")
	default:
		birthS = birth.Format("2006年1月2日")
	}
	name := string(surnames[r.IntN(len(surnames))]) + string(given[r.IntN(len(given))])
	if r.IntN(3) > 0 {
		name += string(given[r.IntN(len(given))])
	}
	phone := mobile[r.IntN(len(mobile))] + fmt.Sprintf("%08d", r.IntN(100000000))
	status := "参保缴费"
	switch p := r.IntN(100); {
	case p >= 92:
		status = "终止参保"
	case p >= 80:
		status = "暂停缴费"
	}
	baseCents := 300000 + r.IntN(3200000)
	base := float64(baseCents) / 100
	insured := birth.AddDate(18+r.IntN(12), r.IntN(12), r.IntN(28))
	if limit := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC); insured.After(limit) {
		insured = limit.AddDate(0, 0, -r.IntN(3000))
	}
	remark := ""
	if r.IntN(100) < 15 {
		remark = remarks[r.IntN(len(remarks))]
	}
	cells := []string{id, name, gender, birthS, phone, g.employers[r.IntN(len(g.employers))], status,
		strconv.FormatFloat(base, 'f', 2, 64), insured.Format("2006-01-02"), remark}
	kind := badNone
	if r.IntN(1000) < 10 { // ~1% bad rows
		kind = badKind(1 + r.IntN(3))
		switch kind {
		case badCheck:
			c := id[17]
			for c == id[17] {
				c = "0123456789X"[r.IntN(11)]
			}
			cells[0] = id[:17] + string(c)
		case badEnum:
			if r.IntN(2) == 0 {
				cells[2] = "未知"
			} else {
				cells[6] = "正常"
			}
		case badDate:
			if r.IntN(2) == 0 {
				cells[3] = fmt.Sprintf("%d-02-30", birth.Year())
			} else {
				cells[8] = fmt.Sprintf("%d-13-01", insured.Year())
			}
		}
	}
	return cells, base, kind
}

// ensureData returns the generated files of rows rows in dir, generating
// them unless a matching set is there already.
func ensureData(dir string, rows int, seed uint64, withXLSX bool) (dataset, error) {
	base := filepath.Join(dir, fmt.Sprintf("insured-%d", rows))
	meta := base + ".json"
	if b, err := os.ReadFile(meta); err == nil {
		var d dataset
		if json.Unmarshal(b, &d) == nil && d.Version == genVersion && d.Seed == seed && d.Rows == rows &&
			sizeIs(d.CSV, d.CSVSize) && (!withXLSX || sizeIs(d.XLSX, d.XLSXSize)) {
			benchutil.Logf("reusing %s (%s)", d.CSV, benchutil.MiB(uint64(d.CSVSize)))
			if withXLSX {
				benchutil.Logf("reusing %s (%s)", d.XLSX, benchutil.MiB(uint64(d.XLSXSize)))
			}
			return d, nil
		}
	}
	d := dataset{Version: genVersion, Seed: seed, Rows: rows, CSV: base + ".csv"}
	if withXLSX {
		d.XLSX = base + ".xlsx"
	}
	t0 := time.Now()
	if err := d.write(); err != nil {
		return d, err
	}
	benchutil.Logf("generated %d rows (%d bad) in %s: %s (%s)%s", rows, d.bad(), time.Since(t0).Round(time.Second), d.CSV, benchutil.MiB(uint64(d.CSVSize)),
		map[bool]string{true: fmt.Sprintf(", %s (%s)", d.XLSX, benchutil.MiB(uint64(d.XLSXSize))), false: ""}[withXLSX])
	b, _ := json.MarshalIndent(d, "", "  ")
	return d, os.WriteFile(meta, b, 0o644)
}

func sizeIs(path string, size int64) bool {
	st, err := os.Stat(path)
	return err == nil && st.Size() == size
}

// write generates the CSV and, when named, the XLSX file in one pass.
func (d *dataset) write() error {
	g, err := newGenerator(d.Rows, d.Seed)
	if err != nil {
		return err
	}
	cf, err := os.Create(d.CSV + ".tmp")
	if err != nil {
		return err
	}
	defer cf.Close()
	bw := bufio.NewWriterSize(cf, 1<<20)
	cw := csv.NewWriter(bw)
	if err := cw.Write(header); err != nil {
		return err
	}
	var xf *excelize.File
	var sw *excelize.StreamWriter
	if d.XLSX != "" {
		xf = excelize.NewFile()
		defer xf.Close()
		if sw, err = xf.NewStreamWriter("Sheet1"); err != nil {
			return err
		}
		hdr := make([]any, len(header))
		for i, h := range header {
			hdr[i] = h
		}
		if err := sw.SetRow("A1", hdr); err != nil {
			return err
		}
	}
	xrow := make([]any, len(header))
	for i := range d.Rows {
		cells, base, kind := g.row(i)
		switch kind {
		case badCheck:
			d.BadCheck++
		case badEnum:
			d.BadEnum++
		case badDate:
			d.BadDate++
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
		if sw != nil {
			for c, v := range cells {
				xrow[c] = v
			}
			xrow[7] = base // a number cell, as a spreadsheet holds an amount
			if cells[9] == "" {
				xrow[9] = nil
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, xrow); err != nil {
				return err
			}
		}
		if i > 0 && i%200000 == 0 {
			benchutil.Logf("  generated %d/%d rows", i, d.Rows)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := cf.Close(); err != nil {
		return err
	}
	if err := os.Rename(d.CSV+".tmp", d.CSV); err != nil {
		return err
	}
	st, _ := os.Stat(d.CSV)
	d.CSVSize = st.Size()
	if sw != nil {
		if err := sw.Flush(); err != nil {
			return err
		}
		if err := xf.SaveAs(d.XLSX + ".tmp.xlsx"); err != nil {
			return err
		}
		if err := os.Rename(d.XLSX+".tmp.xlsx", d.XLSX); err != nil {
			return err
		}
		st, _ := os.Stat(d.XLSX)
		d.XLSXSize = st.Size()
	}
	return nil
}
