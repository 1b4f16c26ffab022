package catalog

// synonyms maps the short forms people type to the full terms catalogs are
// written in (and back), so that "社保" finds "社会保险参保信息". Keys and
// values are folded (lower case).
var synonyms = map[string][]string{
	"社保":     {"社会保险", "社会保障"},
	"社会保险":   {"社保"},
	"医保":     {"医疗保险", "医疗保障"},
	"医疗保险":   {"医保"},
	"医疗保障":   {"医保"},
	"养老金":    {"养老保险"},
	"公积金":    {"住房公积金"},
	"低保":     {"最低生活保障"},
	"最低生活保障": {"低保"},
	"身份证":    {"居民身份证", "公民身份号码"},
	"户口":     {"户籍"},
	"户籍":     {"户口"},
	"驾照":     {"驾驶证"},
	"行驶证":    {"机动车登记"},
	"出生证":    {"出生医学证明"},
	"死亡证":    {"死亡医学证明"},
	"结婚证":    {"婚姻登记"},
	"离婚证":    {"婚姻登记"},
	"房产证":    {"不动产权证书", "不动产登记"},
	"房产":     {"不动产"},
	"工商":     {"市场监督", "营业执照"},
	"执照":     {"营业执照"},
	"企业":     {"法人"},
	"法人":     {"企业"},
	"双公示":    {"行政许可", "行政处罚"},
	"纳税":     {"税务"},
	"税务":     {"纳税"},
	"学历":     {"学位"},
	"残疾证":    {"残疾人证"},
	"信用代码":   {"统一社会信用代码"},
	"疫苗":     {"预防接种"},
	"接种":     {"疫苗"},
	"火化":     {"殡葬"},
}

// alternatives returns t and the terms it stands for.
func alternatives(t string) []string {
	return append([]string{t}, synonyms[t]...)
}
