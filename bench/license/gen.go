package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"huitong/internal/ids"
)

// The issuing org and the license type the benchmark works with: the
// market regulator issues business licenses (营业执照) to companies.
const (
	issuerUSCC   = "11330500MB1A354275"
	issuerName   = "湖州市市场监督管理局"
	issuerRegion = "330500"
	typeCode     = issuerUSCC + "001"
	issuerUser   = "zz_issuer"
	issuerPass   = "Issuer2026"
)

// licenseFields are the fields of the business license type, in the
// catalog's field model.
func licenseFields() []map[string]any {
	return []map[string]any{
		{"name": "legal_rep", "title": "法定代表人", "type": "string", "level": 2, "pii": "name", "required": true},
		{"name": "capital", "title": "注册资本（万元）", "type": "decimal", "level": 1},
		{"name": "kind", "title": "类型", "type": "string", "level": 1, "enum": []string{"有限责任公司", "股份有限公司", "个人独资企业", "合伙企业"}},
		{"name": "established", "title": "成立日期", "type": "date", "level": 1},
		{"name": "address", "title": "住所", "type": "string", "level": 1},
		{"name": "scope", "title": "经营范围", "type": "string", "level": 1},
	}
}

var (
	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏飞斌宇浩凯健俊帆帅旭宁龙林欣雪琳晨辰建国志")
	trades     = []string{"科技", "贸易", "建材", "纺织", "食品", "物流", "电子", "机械", "竹木制品", "茶业", "湖笔", "丝绸", "环保", "信息技术", "文化传媒"}
	places     = []string{"吴兴区", "南浔区", "德清县", "长兴县", "安吉县"}
	kinds      = []string{"有限责任公司", "有限责任公司", "有限责任公司", "股份有限公司", "个人独资企业", "合伙企业"}
	scopes     = []string{
		"一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；信息系统集成服务",
		"一般项目：纺织品销售；服装服饰批发；针纺织品及原料销售；货物进出口；技术进出口",
		"一般项目：竹制品制造；木制品制造；家具销售；日用木制品销售；林业产品销售",
		"许可项目：食品生产；食品销售。一般项目：农副产品销售；初级农产品收购",
		"一般项目：普通货物仓储服务；国内货物运输代理；装卸搬运；供应链管理服务",
	}
)

// company is one generated license holder and its license's content.
type company struct {
	Name, USCC                  string
	LegalRep, Capital, Kind     string
	Established, Address, Scope string
	Number                      string
}

// genCompany returns the i-th company (i from 0): its USCC is unique per i.
func genCompany(i int, r *rand.Rand) company {
	uscc, err := ids.MakeUSCC("91", "330502", fmt.Sprintf("%09d", i+1))
	if err != nil {
		panic(err)
	}
	place := places[r.IntN(len(places))]
	given := string(givenChars[r.IntN(len(givenChars))])
	if r.IntN(3) > 0 {
		given += string(givenChars[r.IntN(len(givenChars))])
	}
	est := time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(10500))
	return company{
		Name:        fmt.Sprintf("湖州%s%s%d号%s有限公司", place, trades[r.IntN(len(trades))], i+1, []string{"", "实业", "发展"}[r.IntN(3)]),
		USCC:        uscc,
		LegalRep:    string(surnames[r.IntN(len(surnames))]) + given,
		Capital:     fmt.Sprintf("%d", 10+r.IntN(5000)*10),
		Kind:        kinds[r.IntN(len(kinds))],
		Established: est.Format(time.DateOnly),
		Address:     fmt.Sprintf("浙江省湖州市%s%s路%d号", place, []string{"人民", "解放", "凤凰", "青铜", "二环东", "仁皇山"}[r.IntN(6)], 1+r.IntN(999)),
		Scope:       scopes[r.IntN(len(scopes))],
		Number:      fmt.Sprintf("330502%09d", i+1),
	}
}

// issueInput is the POST /api/v1/licenses body for c.
func (c company) issueInput() map[string]any {
	return map[string]any{
		"type_code": typeCode,
		"holder":    map[string]string{"name": c.Name, "code": c.USCC},
		"number":    c.Number,
		"data": map[string]any{"legal_rep": c.LegalRep, "capital": c.Capital, "kind": c.Kind, "established": c.Established,
			"address": c.Address, "scope": c.Scope},
	}
}

// writeImportCSV writes rows companies, numbered from first, as an import
// file with the Chinese headers an issuing office's export has.
func writeImportCSV(path string, first, rows int, seed uint64) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("持证主体名称,持证主体代码,法定代表人,注册资本（万元）,类型,成立日期,住所,经营范围,证照编号\n")
	r := rand.New(rand.NewPCG(seed, 2))
	for i := first; i < first+rows; i++ {
		c := genCompany(i, r)
		w.WriteString(strings.Join([]string{c.Name, c.USCC, c.LegalRep, c.Capital, c.Kind, c.Established, c.Address, c.Scope, c.Number}, ","))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	return st.Size(), f.Close()
}
