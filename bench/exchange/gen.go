package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"huitong/bench/internal/benchutil"
	"huitong/internal/ids"
)

// genVersion changes whenever the generated data changes, so that cached
// files (and stores loaded from them) of an older generator are not reused.
const genVersion = 1

// header is the file's header row: the titles of the resource's fields,
// in the order of resourceFields.
var header = []string{"公民身份号码", "姓名", "性别", "出生日期", "联系电话", "住址", "宗教信仰"}

// Column indexes of a row.
const (
	colID = iota
	colName
	colGender
	colBirth
	colPhone
	colAddress
	colReligion
	nCols
)

// fieldNames are the resource's field names, in column order.
var fieldNames = []string{"id_card", "name", "gender", "birth_date", "phone", "address", "religion"}

// resourceFields is the resource as registered through the API: a police
// bureau's population register keyed by the ID number, with four masked
// (level 3) fields and one restricted (level 4, stored encrypted) field.
func resourceFields() []map[string]any {
	return []map[string]any{
		{"name": "id_card", "title": "公民身份号码", "type": "string", "level": 3, "pii": "id_card", "key": true, "required": true},
		{"name": "name", "title": "姓名", "type": "string", "level": 3, "pii": "name", "required": true},
		{"name": "gender", "title": "性别", "type": "string", "level": 1, "enum": []string{"男", "女"}},
		{"name": "birth_date", "title": "出生日期", "type": "date", "level": 2},
		{"name": "phone", "title": "联系电话", "type": "string", "level": 3, "pii": "phone"},
		{"name": "address", "title": "住址", "type": "string", "level": 3, "pii": "address"},
		{"name": "religion", "title": "宗教信仰", "type": "string", "level": 4, "enum": []string{"无", "佛教", "道教", "基督教", "伊斯兰教"}},
	}
}

// regions are county-level GB/T 2260 codes of Zhejiang with the address
// prefix that goes with them, mostly 湖州市.
var regions = []struct{ code, prefix string }{
	{"330502", "浙江省湖州市吴兴区"}, {"330503", "浙江省湖州市南浔区"}, {"330521", "浙江省湖州市德清县"},
	{"330522", "浙江省湖州市长兴县"}, {"330523", "浙江省湖州市安吉县"}, {"330102", "浙江省杭州市上城区"},
	{"330106", "浙江省杭州市西湖区"}, {"330402", "浙江省嘉兴市南湖区"}, {"330602", "浙江省绍兴市越城区"},
	{"330105", "浙江省杭州市拱墅区"},
}

var (
	surnames  = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	compounds = []string{"欧阳", "司马", "诸葛", "上官"}
	given     = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣悦晨晓雪琳思婷雨佳子涵梓轩博文一诺")
	streets   = []string{"人民路", "红旗路", "劳动路", "凤凰路", "青铜路", "仁皇山路", "苕溪东路", "体育场路", "英溪北路", "龙山路", "中山路", "解放路", "文一路", "环城北路"}
	towns     = []string{"爱山街道", "飞英街道", "龙泉街道", "朝阳街道", "武康街道", "雉城街道", "递铺街道", "南浔镇", "织里镇", "新市镇"}
	religions = []string{"无", "无", "无", "无", "无", "无", "佛教", "道教", "基督教", "伊斯兰教"}
	mobile    = []string{"130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "177", "180", "181", "186", "187", "188", "189", "199"}
)

// generator makes the rows of the file. Row i's ID number is unique: the
// (region, birth day, sequence) triple is a bijection of a permutation of
// i, as in bench/ingest.
type generator struct {
	rows   int
	rng    *rand.Rand
	perm   int // multiplier coprime with rows
	birth0 time.Time
	days   int
}

func newGenerator(rows int, seed uint64) (*generator, error) {
	g := &generator{rows: rows, rng: rand.New(rand.NewPCG(seed, uint64(rows))),
		birth0: time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC), days: 25000}
	if rows < 1 || rows > len(regions)*g.days*500 {
		return nil, fmt.Errorf("rows must be 1 to %d", len(regions)*g.days*500)
	}
	for _, r := range regions {
		if !ids.KnownRegion(r.code) {
			return nil, fmt.Errorf("region code %s is not in the table", r.code)
		}
	}
	for g.perm = 7919; gcd(g.perm, rows) != 1; g.perm += 2 {
	}
	return g, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// row returns the cells of row i (0-based), in header order. Every row is
// valid: the gateway is measured, not the ingest checks.
func (g *generator) row(i int) []string {
	r := g.rng
	k := int((int64(i) * int64(g.perm)) % int64(g.rows))
	reg := regions[k%len(regions)]
	j := k / len(regions)
	day := j % g.days
	pair := j / g.days
	male := r.IntN(2)
	seq := 2*((pair*137+day)%500) + male
	birth := g.birth0.AddDate(0, 0, day)
	id, err := ids.MakeIDCard(reg.code, birth, seq)
	if err != nil {
		panic(err)
	}
	gender := "女"
	if male == 1 {
		gender = "男"
	}
	var name string
	if r.IntN(100) == 0 {
		name = compounds[r.IntN(len(compounds))]
	} else {
		name = string(surnames[r.IntN(len(surnames))])
	}
	name += string(given[r.IntN(len(given))])
	if r.IntN(3) > 0 {
		name += string(given[r.IntN(len(given))])
	}
	phone := mobile[r.IntN(len(mobile))] + fmt.Sprintf("%08d", r.IntN(100000000))
	addr := reg.prefix + towns[r.IntN(len(towns))] + streets[r.IntN(len(streets))] + strconv.Itoa(1+r.IntN(999)) + "号"
	if r.IntN(3) == 0 {
		addr += strconv.Itoa(1+r.IntN(30)) + "幢" + strconv.Itoa(101+r.IntN(1800)) + "室"
	}
	return []string{id, name, gender, birth.Format("2006-01-02"), phone, addr, religions[r.IntN(len(religions))]}
}

// dataset is the generated CSV file, cached in the -dir between runs.
type dataset struct {
	Version int    `json:"version"`
	Seed    uint64 `json:"seed"`
	Rows    int    `json:"rows"`
	CSV     string `json:"csv"`
	Size    int64  `json:"size"`
}

// ensureData returns the generated file of rows rows in dir, generating it
// unless a matching one is there already.
func ensureData(dir string, rows int, seed uint64) (dataset, error) {
	base := filepath.Join(dir, fmt.Sprintf("people-%d-seed%d", rows, seed))
	meta := base + ".json"
	if b, err := os.ReadFile(meta); err == nil {
		var d dataset
		if json.Unmarshal(b, &d) == nil && d.Version == genVersion && d.Seed == seed && d.Rows == rows && sizeIs(d.CSV, d.Size) {
			benchutil.Logf("reusing %s (%s)", d.CSV, benchutil.MiB(uint64(d.Size)))
			return d, nil
		}
	}
	d := dataset{Version: genVersion, Seed: seed, Rows: rows, CSV: base + ".csv"}
	t0 := time.Now()
	f, err := os.Create(d.CSV + ".tmp")
	if err != nil {
		return d, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := writeCSV(bw, rows, seed); err != nil {
		return d, err
	}
	if err := bw.Flush(); err != nil {
		return d, err
	}
	if err := f.Close(); err != nil {
		return d, err
	}
	if err := os.Rename(d.CSV+".tmp", d.CSV); err != nil {
		return d, err
	}
	st, err := os.Stat(d.CSV)
	if err != nil {
		return d, err
	}
	d.Size = st.Size()
	benchutil.Logf("generated %d rows in %s: %s (%s)", rows, time.Since(t0).Round(time.Millisecond), d.CSV, benchutil.MiB(uint64(d.Size)))
	b, _ := json.MarshalIndent(d, "", "  ")
	return d, os.WriteFile(meta, b, 0o644)
}

// writeCSV writes the header and rows generated rows to w.
func writeCSV(w io.Writer, rows int, seed uint64) error {
	g, err := newGenerator(rows, seed)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for i := range rows {
		if err := cw.Write(g.row(i)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func sizeIs(path string, size int64) bool {
	st, err := os.Stat(path)
	return err == nil && st.Size() == size
}

// table holds the generated rows in two pointer-free arrays, so that the
// client's own heap costs the garbage collector nothing to scan while the
// server is measured: cell c of row i is data[off[i*nCols+c]:off[i*nCols+c+1]].
type table struct {
	data []byte
	off  []uint32
}

func (t *table) rows() int { return (len(t.off) - 1) / nCols }

func (t *table) cell(i, c int) string {
	k := i*nCols + c
	return string(t.data[t.off[k]:t.off[k+1]])
}

// cellBytes is cell without a copy; the caller must not keep it.
func (t *table) cellBytes(i, c int) []byte {
	k := i*nCols + c
	return t.data[t.off[k]:t.off[k+1]]
}

// readTable reads the generated CSV file back.
func readTable(d dataset) (*table, error) {
	f, err := os.Open(d.CSV)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = nCols
	t := &table{data: make([]byte, 0, d.Size), off: make([]uint32, 1, d.Rows*nCols+1)}
	if _, err := cr.Read(); err != nil {
		return nil, fmt.Errorf("read %s: %w", d.CSV, err)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", d.CSV, err)
		}
		for _, c := range rec {
			t.data = append(t.data, c...)
			t.off = append(t.off, uint32(len(t.data)))
		}
	}
	if t.rows() != d.Rows {
		return nil, fmt.Errorf("%s holds %d rows, want %d", d.CSV, t.rows(), d.Rows)
	}
	if bytes.ContainsAny(t.data, `"\`) {
		return nil, fmt.Errorf("%s: a cell holds a quote or backslash, which the request bodies do not escape", d.CSV)
	}
	return t, nil
}
