// Package demo holds the data of the demo city, 湖州市 (Huzhou, Zhejiang):
// its departments, the people who log in for them and the government
// information resource catalog they publish. The values are plain inputs for
// the org and catalog services; codes, versions and timestamps are assigned
// when they are registered.
//
// Every organisation code is made up for the demo, but each one is a
// well-formed unified social credit code (GB 32100-2015 check character) and
// every region code is a real GB/T 2260 code of 湖州市.
package demo

import (
	"huitong/internal/catalog"
	"huitong/internal/org"
)

// Region codes (GB/T 2260) used by the demo orgs.
const (
	RegionHuzhou    = "330500" // 浙江省湖州市
	RegionWuxing    = "330502" // 吴兴区
	RegionNanxun    = "330503" // 南浔区
	RegionDeqing    = "330521" // 德清县
	RegionChangxing = "330522" // 长兴县
	RegionAnji      = "330523" // 安吉县
)

// Unified social credit codes of the demo orgs. Agencies start with "11"
// (机构编制部门登记的机关), the housing provident fund centre with "12"
// (事业单位).
const (
	USCCDataBureau      = "11330500MB1C72860Q" // 湖州市大数据发展管理局
	USCCPolice          = "11330500002486211M" // 湖州市公安局
	USCCMarket          = "11330500MB1A354275" // 湖州市市场监督管理局
	USCCHRSS            = "113305000024873276" // 湖州市人力资源和社会保障局
	USCCHealth          = "11330500MB1B482507" // 湖州市卫生健康委员会
	USCCCivil           = "11330500002486932J" // 湖州市民政局
	USCCNaturalRes      = "11330500MB1B719566" // 湖州市自然资源和规划局
	USCCEducation       = "11330500002487087B" // 湖州市教育局
	USCCHousingFund     = "12330500470114035Q" // 湖州市住房公积金管理中心
	USCCTax             = "11330500MB0F64725N" // 国家税务总局湖州市税务局
	USCCMedicalIns      = "11330500MB1B95028J" // 湖州市医疗保障局
	USCCTransport       = "11330500002487116N" // 湖州市交通运输局
	USCCAudit           = "11330500002486879N" // 湖州市审计局
	USCCDeqingPolice    = "11330521004211396D" // 德清县公安局
	USCCChangxingMarket = "11330522MB1A60412K" // 长兴县市场监督管理局
)

// Orgs are the demo departments. The data bureau (大数据局) runs the
// platform; the two county departments hang under their city counterparts.
var Orgs = []org.OrgInput{
	{USCC: USCCDataBureau, Name: "湖州市大数据发展管理局", RegionCode: RegionHuzhou, Kind: org.KindAgency},
	{USCC: USCCPolice, Name: "湖州市公安局", RegionCode: RegionHuzhou, Kind: org.KindAgency},
	{USCC: USCCMarket, Name: "湖州市市场监督管理局", RegionCode: RegionHuzhou, Kind: org.KindAgency},
	{USCC: USCCHRSS, Name: "湖州市人力资源和社会保障局", RegionCode: RegionHuzhou, Kind: org.KindAgency},
	{USCC: USCCHealth, Name: "湖州市卫生健康委员会", RegionCode: RegionHuzhou, Kind: org.KindAgency},
	{USCC: USCCCivil, Name: "湖州市民政局", RegionCode: RegionHuzhou, Kind: org.KindAgency},
	{USCC: USCCNaturalRes, Name: "湖州市自然资源和规划局", RegionCode: RegionHuzhou, Kind: org.KindAgency},
	{USCC: USCCEducation, Name: "湖州市教育局", RegionCode: RegionHuzhou, Kind: org.KindAgency},
	{USCC: USCCHousingFund, Name: "湖州市住房公积金管理中心", RegionCode: RegionHuzhou, Kind: org.KindInstitution},
	{USCC: USCCTax, Name: "国家税务总局湖州市税务局", RegionCode: RegionHuzhou, Kind: org.KindAgency},
	{USCC: USCCMedicalIns, Name: "湖州市医疗保障局", RegionCode: RegionHuzhou, Kind: org.KindAgency},
	{USCC: USCCTransport, Name: "湖州市交通运输局", RegionCode: RegionHuzhou, Kind: org.KindAgency},
	{USCC: USCCAudit, Name: "湖州市审计局", RegionCode: RegionHuzhou, Kind: org.KindAgency},
	{USCC: USCCDeqingPolice, Name: "德清县公安局", ParentUSCC: USCCPolice, RegionCode: RegionDeqing, Kind: org.KindAgency},
	{USCC: USCCChangxingMarket, Name: "长兴县市场监督管理局", ParentUSCC: USCCMarket, RegionCode: RegionChangxing, Kind: org.KindAgency},
}

// Password is the password of every user in [Users]: at least 8
// characters, with upper and lower case letters, a digit and a symbol.
const Password = "Huzhou@2026"

// Users are the demo people who log in, one or more for every role. All of
// them use the password [Password] ("Huzhou@2026"). The platform
// administrator "admin" is not in this list; it is created separately.
//
//	username       org                     roles
//	dsj_admin      湖州市大数据发展管理局   admin
//	dsj_ops        湖州市大数据发展管理局   provider, consumer, auditor, issuer
//	ga_provider    湖州市公安局             provider
//	scjg_provider  湖州市市场监督管理局     provider
//	zz_issuer      湖州市市场监督管理局     issuer
//	rs_provider    湖州市人力资源和社会保障局 provider
//	wj_provider    湖州市卫生健康委员会     provider
//	mz_provider    湖州市民政局             provider, consumer
//	mz_consumer    湖州市民政局             consumer
//	zrzy_provider  湖州市自然资源和规划局   provider
//	jy_provider    湖州市教育局             provider
//	gjj_provider   湖州市住房公积金管理中心 provider
//	gjj_consumer   湖州市住房公积金管理中心 consumer
//	sw_provider    国家税务总局湖州市税务局 provider
//	yb_provider    湖州市医疗保障局         provider, consumer
//	jt_provider    湖州市交通运输局         provider
//	auditor        湖州市审计局             auditor
//	dqga_consumer  德清县公安局             consumer
//	cxscjg_issuer  长兴县市场监督管理局     issuer, consumer
//	mz_issuer      湖州市民政局             issuer
//	wj_issuer      湖州市卫生健康委员会     issuer
//	zrzy_issuer    湖州市自然资源和规划局   issuer
//	rs_issuer      湖州市人力资源和社会保障局 issuer
var Users = []org.UserInput{
	{Username: "dsj_admin", Password: Password, DisplayName: "王建国（大数据局平台管理员）", OrgUSCC: USCCDataBureau, Roles: []string{"admin"}},
	{Username: "dsj_ops", Password: Password, DisplayName: "林晓（大数据局数据运营专员）", OrgUSCC: USCCDataBureau, Roles: []string{"provider", "consumer", "auditor", "issuer"}},
	{Username: "ga_provider", Password: Password, DisplayName: "张伟（公安局数据专员）", OrgUSCC: USCCPolice, Roles: []string{"provider"}},
	{Username: "scjg_provider", Password: Password, DisplayName: "李娜（市场监管局数据专员）", OrgUSCC: USCCMarket, Roles: []string{"provider"}},
	{Username: "zz_issuer", Password: Password, DisplayName: "郭芳（市场监管局证照管理员）", OrgUSCC: USCCMarket, Roles: []string{"issuer"}},
	{Username: "rs_provider", Password: Password, DisplayName: "刘洋（人社局数据专员）", OrgUSCC: USCCHRSS, Roles: []string{"provider"}},
	{Username: "wj_provider", Password: Password, DisplayName: "陈静（卫健委数据专员）", OrgUSCC: USCCHealth, Roles: []string{"provider"}},
	{Username: "mz_provider", Password: Password, DisplayName: "杨帆（民政局数据专员）", OrgUSCC: USCCCivil, Roles: []string{"provider", "consumer"}},
	{Username: "mz_consumer", Password: Password, DisplayName: "马超（民政局社会救助处）", OrgUSCC: USCCCivil, Roles: []string{"consumer"}},
	{Username: "zrzy_provider", Password: Password, DisplayName: "赵磊（自然资源和规划局数据专员）", OrgUSCC: USCCNaturalRes, Roles: []string{"provider"}},
	{Username: "jy_provider", Password: Password, DisplayName: "黄敏（教育局数据专员）", OrgUSCC: USCCEducation, Roles: []string{"provider"}},
	{Username: "gjj_provider", Password: Password, DisplayName: "沈佳（公积金中心数据专员）", OrgUSCC: USCCHousingFund, Roles: []string{"provider"}},
	{Username: "gjj_consumer", Password: Password, DisplayName: "孙丽（公积金中心贷款审核员）", OrgUSCC: USCCHousingFund, Roles: []string{"consumer"}},
	{Username: "sw_provider", Password: Password, DisplayName: "周杰（税务局数据专员）", OrgUSCC: USCCTax, Roles: []string{"provider"}},
	{Username: "yb_provider", Password: Password, DisplayName: "吴婷（医保局数据专员）", OrgUSCC: USCCMedicalIns, Roles: []string{"provider", "consumer"}},
	{Username: "jt_provider", Password: Password, DisplayName: "徐涛（交通运输局数据专员）", OrgUSCC: USCCTransport, Roles: []string{"provider"}},
	{Username: "auditor", Password: Password, DisplayName: "胡萍（审计局数据审计员）", OrgUSCC: USCCAudit, Roles: []string{"auditor"}},
	{Username: "dqga_consumer", Password: Password, DisplayName: "朱浩（德清县公安局户政民警）", OrgUSCC: USCCDeqingPolice, Roles: []string{"consumer"}},
	{Username: "cxscjg_issuer", Password: Password, DisplayName: "钱蕾（长兴县市场监管局登记窗口）", OrgUSCC: USCCChangxingMarket, Roles: []string{"issuer", "consumer"}},
	// Issuing officers of the departments whose licenses the demo holds
	// (see licenses.go).
	{Username: "mz_issuer", Password: Password, DisplayName: "何琳（民政局婚姻登记管理员）", OrgUSCC: USCCCivil, Roles: []string{"issuer"}},
	{Username: "wj_issuer", Password: Password, DisplayName: "许文（卫健委出生医学证明管理员）", OrgUSCC: USCCHealth, Roles: []string{"issuer"}},
	{Username: "zrzy_issuer", Password: Password, DisplayName: "宋健（自然资源和规划局不动产登记窗口）", OrgUSCC: USCCNaturalRes, Roles: []string{"issuer"}},
	{Username: "rs_issuer", Password: Password, DisplayName: "韩梅（人社局社会保障卡服务专员）", OrgUSCC: USCCHRSS, Roles: []string{"issuer"}},
	// A citizen, who logs in on the public listener to see who used their
	// data. Citizen accounts live under the operator.
	{Username: "citizen_li", Password: Password, DisplayName: "李明（市民）", OrgUSCC: USCCDataBureau, Roles: []string{"citizen"}, IDCard: CitizenIDCard},
}

// CitizenIDCard is the (made-up, well-formed) ID number of the demo citizen.
const CitizenIDCard = "33050219850615123X"

// Field helpers. Levels follow DESIGN 3: 1 public, 2 internal, 3 sensitive
// (personal identifiers and contacts), 4 restricted (health, criminal,
// financial account and biometric data).

func field(name, title, typ string, level int) catalog.Field {
	return catalog.Field{Name: name, Title: title, Type: typ, Level: level}
}

func str(name, title string, level int) catalog.Field {
	return field(name, title, "string", level)
}

func integer(name, title string, level int) catalog.Field {
	return field(name, title, "int", level)
}

func decimal(name, title string, level int) catalog.Field {
	return field(name, title, "decimal", level)
}

func date(name, title string, level int) catalog.Field {
	return field(name, title, "date", level)
}

func datetime(name, title string, level int) catalog.Field {
	return field(name, title, "datetime", level)
}

func boolean(name, title string, level int) catalog.Field {
	return field(name, title, "bool", level)
}

func enum(name, title string, level int, values ...string) catalog.Field {
	f := field(name, title, "string", level)
	f.Enum = values
	return f
}

// key marks f as (part of) the natural key; key fields are required.
func key(f catalog.Field) catalog.Field {
	f.Key = true
	f.Required = true
	return f
}

// indexed marks a field for lookups by the exchange gateway.
func indexed(f catalog.Field) catalog.Field {
	f.Indexed = true
	return f
}

func req(f catalog.Field) catalog.Field {
	f.Required = true
	return f
}

func pii(kind string, f catalog.Field) catalog.Field {
	f.PII = kind
	return f
}

// Fields with the same meaning have the same name in every resource.

func idCard() catalog.Field { return req(pii("id_card", str("id_card", "公民身份号码", 3))) }
func personName() catalog.Field {
	return req(pii("name", str("name", "姓名", 3)))
}
func gender() catalog.Field     { return enum("gender", "性别", 2, "男", "女") }
func ethnicity() catalog.Field  { return str("ethnicity", "民族", 2) }
func birthDate() catalog.Field  { return pii("birth_date", date("birth_date", "出生日期", 3)) }
func phone() catalog.Field      { return pii("phone", str("phone", "联系电话", 3)) }
func uscc() catalog.Field       { return req(pii("uscc", str("uscc", "统一社会信用代码", 1))) }
func legalRep() catalog.Field   { return pii("name", str("legal_rep", "法定代表人", 1)) }
func regDate() catalog.Field    { return req(date("reg_date", "登记日期", 1)) }
func issueDate() catalog.Field  { return req(date("issue_date", "发证日期", 1)) }
func validFrom() catalog.Field  { return date("valid_from", "有效期起始日期", 1) }
func validUntil() catalog.Field { return date("valid_until", "有效期截止日期", 1) }

func orgName(title string) catalog.Field { return req(str("org_name", title, 1)) }

func address(title string) catalog.Field {
	return pii("address", str("address", title, 3))
}

// orgAddress is the address of an organisation, public information.
func orgAddress(title string) catalog.Field { return str("org_address", title, 1) }

func regAuthority(title string) catalog.Field { return str("reg_authority", title, 1) }

func fields(f ...catalog.Field) []catalog.Field { return f }

// Resources is the demo catalog: base (基础), theme (主题) and department (部门)
// resources of the demo orgs, modelled on municipal public data catalogs.
// Most are shared on condition; a few are not shared at all and name the law
// that forbids it.
var Resources = []catalog.Input{
	// ---- 湖州市公安局 ----
	{
		Name:           "人口基础信息",
		Summary:        "全市常住及户籍人口的身份基础信息，由公安户籍管理系统汇聚，是人口综合库的权威来源，支撑各部门身份核验和资格审核。",
		Category:       catalog.CategoryBase,
		ProviderUSCC:   USCCPolice,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "仅限政务部门在依法履行身份核验、资格审核等法定职责时使用，申请时须写明具体办理事项和法律依据",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-03-15",
		Fields: fields(
			key(idCard()),
			personName(),
			str("former_name", "曾用名", 3),
			req(gender()),
			ethnicity(),
			req(birthDate()),
			str("birth_place", "出生地", 2),
			str("domicile_region_code", "户籍地行政区划代码", 2),
			address("户籍地址"),
			enum("education", "文化程度", 2, "研究生", "大学本科", "大学专科", "中等专科", "高中", "初中", "小学", "文盲或半文盲"),
			enum("marital_status", "婚姻状况", 3, "未婚", "已婚", "丧偶", "离婚"),
			req(enum("hukou_status", "户口状态", 2, "正常", "迁出", "死亡注销", "其他注销")),
		),
	},
	{
		Name:           "户籍人口信息",
		Summary:        "本市户籍人口的户籍登记信息，包括户号、与户主关系、迁入迁出等，用于户籍状况和家庭成员关系核验。",
		Category:       catalog.CategoryBase,
		ProviderUSCC:   USCCPolice,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于户籍状况核验、义务教育入学资格审核、社会救助家庭成员认定等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-03-15",
		Fields: fields(
			key(idCard()),
			personName(),
			gender(),
			birthDate(),
			req(str("household_no", "户号", 3)),
			req(enum("relation_to_head", "与户主关系", 3, "户主", "配偶", "子", "女", "父母", "孙子女", "兄弟姐妹", "其他")),
			enum("household_type", "户口类别", 2, "家庭户", "集体户"),
			address("户籍地址"),
			str("police_station", "户籍派出所", 1),
			date("move_in_date", "迁入日期", 2),
		),
	},
	{
		Name:         "居民身份证信息",
		Summary:      "居民身份证制证信息，包括证件照片、指纹等生物识别信息。因含敏感个人信息不予共享，身份核验请申请人口基础信息核验服务。",
		Category:     catalog.CategoryBase,
		ProviderUSCC: USCCPolice,
		Format:       "table",
		UpdateCycle:  "daily",
		ShareType:    catalog.ShareNone,
		LegalBasis:   "《中华人民共和国居民身份证法》第六条、第十九条；《中华人民共和国个人信息保护法》第二十八条（生物识别信息属于敏感个人信息）",
		OpenType:     catalog.OpenNone,
		PublishDate:  "2024-03-15",
		Fields: fields(
			key(idCard()),
			personName(),
			gender(),
			ethnicity(),
			birthDate(),
			address("住址"),
			str("issuing_authority", "签发机关", 2),
			validFrom(),
			validUntil(),
			str("photo", "证件照片", 4),
			str("fingerprint_feature", "指纹特征数据", 4),
		),
	},
	{
		Name:           "流动人口居住登记信息",
		Summary:        "在本市居住半年以上的流动人口居住登记和居住证办理信息，用于居住证积分、随迁子女入学和基层社会治理。",
		Category:       catalog.CategoryBase,
		ProviderUSCC:   USCCPolice,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于随迁子女入学、居住证积分、基层社会治理等法定职责，区县部门仅可获取本辖区数据",
		ShareMethod:    catalog.ShareMethodFile,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-05-20",
		Fields: fields(
			key(idCard()),
			personName(),
			gender(),
			phone(),
			pii("address", str("domicile_address", "户籍地址", 3)),
			req(address("居住地址")),
			enum("residence_reason", "居住事由", 2, "务工", "经商", "就学", "投靠亲友", "其他"),
			regDate(),
			str("residence_permit_no", "居住证编号", 3),
			validUntil(),
		),
	},
	{
		Name:           "机动车驾驶证信息",
		Summary:        "本市核发的机动车驾驶证信息，包括准驾车型、有效期和记分状态，用于驾驶人资格核验。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCPolice,
		Format:         "api",
		UpdateCycle:    "realtime",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于道路运输从业资格审核、网约车驾驶员资格审核等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-06-10",
		Fields: fields(
			key(idCard()),
			personName(),
			gender(),
			birthDate(),
			req(enum("driving_class", "准驾车型", 2, "A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6", "D", "E", "F", "M", "N", "P")),
			date("first_issue_date", "初次领证日期", 2),
			validFrom(),
			validUntil(),
			req(enum("license_status", "驾驶证状态", 2, "正常", "超分", "暂扣", "吊销", "注销", "逾期未换证", "逾期未审验")),
			integer("penalty_points", "累积记分", 2),
			str("issuing_authority", "发证机关", 1),
		),
	},
	{
		Name:           "机动车登记信息",
		Summary:        "本市登记的机动车及其所有人信息，用于社会救助家庭经济状况核对、车船税征管和营运车辆管理。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCPolice,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于社会救助家庭经济状况核对、车船税征管、道路运输管理等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-06-10",
		Fields: fields(
			key(str("plate_no", "号牌号码", 2)),
			key(enum("plate_type", "号牌种类", 2, "大型汽车", "小型汽车", "大型新能源汽车", "小型新能源汽车", "挂车", "普通摩托车")),
			str("vin", "车辆识别代号", 2),
			req(pii("name", str("owner_name", "机动车所有人", 3))),
			pii("id_card", str("owner_id_no", "所有人身份证明号码", 3)),
			str("vehicle_type", "车辆类型", 1),
			str("brand_model", "品牌型号", 1),
			date("first_reg_date", "初次登记日期", 2),
			enum("vehicle_status", "机动车状态", 2, "正常", "转出", "被盗抢", "停驶", "注销", "抵押", "查封"),
		),
	},
	{
		Name:         "违法犯罪记录信息",
		Summary:      "公安机关掌握的违法犯罪记录。犯罪记录仅向本人或依法有权查询的机关出具查询结果，不纳入政务数据共享。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCPolice,
		Format:       "table",
		UpdateCycle:  "daily",
		ShareType:    catalog.ShareNone,
		LegalBasis:   "《中华人民共和国刑事诉讼法》第二百八十六条；《公安机关办理犯罪记录查询工作规定》；《中华人民共和国个人信息保护法》第二十八条",
		OpenType:     catalog.OpenNone,
		PublishDate:  "2024-06-10",
		Fields: fields(
			key(idCard()),
			personName(),
			gender(),
			key(str("case_no", "案件编号", 3)),
			str("offence", "罪名或违法行为", 4),
			str("judgment_org", "判决机关", 3),
			date("judgment_date", "判决日期", 4),
			str("penalty", "刑罚或处罚", 4),
			boolean("sealed", "是否封存", 4),
		),
	},

	// ---- 湖州市市场监督管理局 ----
	{
		Name:         "法人基础信息",
		Summary:      "全市在市场监管部门登记的企业、农民专业合作社等市场主体的登记基础信息，是法人综合库的权威来源。",
		Category:     catalog.CategoryBase,
		ProviderUSCC: USCCMarket,
		Format:       "table",
		UpdateCycle:  "daily",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenNone,
		PublishDate:  "2024-03-15",
		Fields: fields(
			key(uscc()),
			orgName("主体名称"),
			req(enum("org_type", "主体类型", 1, "有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "农民专业合作社", "外商投资企业", "其他")),
			req(legalRep()),
			decimal("reg_capital", "注册资本（万元）", 1),
			req(date("establish_date", "成立日期", 1)),
			regAuthority("登记机关"),
			req(enum("reg_status", "登记状态", 1, "存续", "在业", "吊销", "注销", "迁出")),
			orgAddress("住所"),
			str("industry_code", "国民经济行业代码", 1),
			str("business_scope", "经营范围", 1),
		),
	},
	{
		Name:         "营业执照信息",
		Summary:      "市场主体营业执照的照面信息，已通过国家企业信用信息公示系统向社会公示。",
		Category:     catalog.CategoryBase,
		ProviderUSCC: USCCMarket,
		Format:       "table",
		UpdateCycle:  "daily",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2024-04-01",
		Fields: fields(
			key(uscc()),
			orgName("名称"),
			str("enterprise_type", "类型", 1),
			req(legalRep()),
			decimal("reg_capital", "注册资本（万元）", 1),
			req(date("establish_date", "成立日期", 1)),
			date("business_term_until", "营业期限至", 1),
			orgAddress("住所"),
			str("business_scope", "经营范围", 1),
			issueDate(),
			regAuthority("登记机关"),
		),
	},
	{
		Name:           "企业年度报告信息",
		Summary:        "企业按年度报送的年度报告，包括从业人数、资产状况和联系方式，企业选择公示的部分可依申请开放。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCMarket,
		Format:         "table",
		UpdateCycle:    "yearly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于税收征管、统计调查、涉企政策兑现等法定职责；资产和经营数据仅限本企业相关事项使用",
		ShareMethod:    catalog.ShareMethodFile,
		OpenType:       catalog.OpenConditional,
		OpenCondition:  "仅开放企业选择公示的内容，使用者须在开放平台实名注册并签署数据使用协议，不得用于商业营销",
		PublishDate:    "2025-07-01",
		Fields: fields(
			key(uscc()),
			key(integer("report_year", "年报年度", 1)),
			orgName("企业名称"),
			integer("employee_count", "从业人数", 2),
			decimal("total_assets", "资产总额（万元）", 2),
			decimal("total_revenue", "营业总收入（万元）", 2),
			decimal("total_tax", "纳税总额（万元）", 2),
			pii("phone", str("phone", "企业联系电话", 1)),
			pii("email", str("email", "电子邮箱", 1)),
			req(date("submit_date", "报送日期", 1)),
		),
	},
	{
		Name:           "个体工商户登记信息",
		Summary:        "个体工商户的登记信息，包括经营者身份、经营场所和经营范围。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCMarket,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于税务登记、社会保险登记、涉企补贴审核等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-04-01",
		Fields: fields(
			key(uscc()),
			str("trade_name", "字号名称", 1),
			req(pii("name", str("name", "经营者姓名", 3))),
			req(pii("id_card", str("id_card", "经营者身份证号码", 3))),
			enum("composition_form", "组成形式", 1, "个人经营", "家庭经营"),
			orgAddress("经营场所"),
			str("business_scope", "经营范围", 1),
			regDate(),
			req(enum("reg_status", "登记状态", 1, "存续", "注销", "吊销")),
		),
	},
	{
		Name:         "行政处罚信息",
		Summary:      "市场监管领域作出的行政处罚决定，按“双公示”要求在公示期内向社会公开，纳入社会信用主题库。",
		Category:     catalog.CategoryTheme,
		ProviderUSCC: USCCMarket,
		Format:       "table",
		UpdateCycle:  "daily",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2024-08-01",
		Fields: fields(
			key(str("decision_no", "行政处罚决定书文号", 1)),
			req(str("party_name", "当事人名称", 1)),
			pii("uscc", str("uscc", "统一社会信用代码", 1)),
			legalRep(),
			req(str("violation_type", "违法行为类型", 1)),
			str("penalty_basis", "处罚依据", 1),
			req(enum("penalty_type", "处罚类别", 1, "警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级", "吊销许可证件", "责令停产停业", "责令关闭", "其他")),
			decimal("fine_amount", "罚款金额（万元）", 1),
			req(date("decision_date", "处罚决定日期", 1)),
			str("authority_name", "处罚机关", 1),
			date("publicity_until", "公示截止日期", 1),
		),
	},
	{
		Name:         "行政许可信息",
		Summary:      "市场监管领域作出的行政许可决定，按“双公示”要求向社会公开，纳入社会信用主题库。",
		Category:     catalog.CategoryTheme,
		ProviderUSCC: USCCMarket,
		Format:       "table",
		UpdateCycle:  "daily",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2024-08-01",
		Fields: fields(
			key(str("decision_no", "行政许可决定文书号", 1)),
			req(str("license_name", "许可证书名称", 1)),
			enum("license_type", "许可类别", 1, "普通", "特许", "认可", "核准", "登记", "其他"),
			req(str("party_name", "行政相对人名称", 1)),
			pii("uscc", str("uscc", "统一社会信用代码", 1)),
			legalRep(),
			str("license_content", "许可内容", 1),
			req(date("decision_date", "许可决定日期", 1)),
			validFrom(),
			validUntil(),
			str("authority_name", "许可机关", 1),
		),
	},
	{
		Name:         "经营异常名录信息",
		Summary:      "被列入和移出经营异常名录的市场主体及原因，已向社会公示，纳入社会信用主题库。",
		Category:     catalog.CategoryTheme,
		ProviderUSCC: USCCMarket,
		Format:       "table",
		UpdateCycle:  "daily",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodFile,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2025-01-10",
		Fields: fields(
			key(uscc()),
			orgName("企业名称"),
			key(date("listed_date", "列入日期", 1)),
			req(enum("listed_reason", "列入原因", 1, "未按规定报送年度报告", "通过登记的住所或经营场所无法联系", "公示信息隐瞒真实情况弄虚作假", "未按规定公示即时信息")),
			str("listed_authority", "作出决定机关", 1),
			date("removed_date", "移出日期", 1),
			str("removed_reason", "移出原因", 1),
		),
	},
	{
		Name:         "食品经营许可信息",
		Summary:      "食品销售和餐饮服务经营者的食品经营许可证信息，可在食品经营许可公示平台查询。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCMarket,
		Format:       "table",
		UpdateCycle:  "daily",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2025-02-18",
		Fields: fields(
			key(str("license_no", "许可证编号", 1)),
			req(str("operator_name", "经营者名称", 1)),
			uscc(),
			legalRep(),
			orgAddress("经营场所"),
			req(enum("main_format", "主体业态", 1, "食品销售经营者", "餐饮服务经营者", "单位食堂")),
			str("business_items", "经营项目", 1),
			issueDate(),
			validUntil(),
			str("issuing_authority", "发证机关", 1),
		),
	},

	// ---- 湖州市人力资源和社会保障局 ----
	{
		Name:           "社会保险参保信息",
		Summary:        "个人参加养老、失业、工伤保险的参保状态和缴费情况，用于就业、救助和公积金等业务中的参保核验。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCHRSS,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于就业补贴审核、社会救助家庭经济状况核对、住房公积金业务办理等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-04-22",
		Fields: fields(
			key(idCard()),
			personName(),
			gender(),
			key(enum("insurance_type", "险种类型", 2, "企业职工基本养老保险", "城乡居民基本养老保险", "机关事业单位养老保险", "失业保险", "工伤保险")),
			req(enum("insured_status", "参保状态", 2, "参保缴费", "暂停缴费", "终止参保")),
			date("first_insured_date", "首次参保日期", 2),
			pii("uscc", str("employer_uscc", "参保单位统一社会信用代码", 2)),
			str("employer_name", "参保单位名称", 2),
			decimal("contribution_base", "缴费基数（元）", 3),
			integer("paid_months", "累计缴费月数", 3),
		),
	},
	{
		Name:           "养老保险待遇发放信息",
		Summary:        "按月发放的基本养老保险待遇明细，用于死亡冒领核查和社会救助收入核算。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCHRSS,
		Format:         "table",
		UpdateCycle:    "monthly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于社会救助家庭收入核算、待遇资格认证等法定职责；银行账户信息仅限待遇发放部门使用",
		ShareMethod:    catalog.ShareMethodFile,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-04-22",
		Fields: fields(
			key(idCard()),
			personName(),
			key(str("pay_month", "发放年月", 2)),
			req(enum("benefit_type", "待遇类型", 2, "基本养老金", "城乡居民基础养老金", "个人账户养老金", "丧葬补助金")),
			req(decimal("amount", "发放金额（元）", 3)),
			str("bank_name", "开户银行", 3),
			pii("bank_card", str("bank_card", "银行账号", 4)),
			date("pay_date", "发放日期", 2),
			enum("pay_status", "发放状态", 2, "已发放", "暂停发放", "终止发放"),
		),
	},
	{
		Name:           "失业登记信息",
		Summary:        "在公共就业服务机构办理失业登记的人员信息及失业保险金领取情况。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCHRSS,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于社会救助资格审核、就业援助对象认定等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-05-08",
		Fields: fields(
			key(idCard()),
			personName(),
			gender(),
			phone(),
			key(date("unemployment_reg_date", "失业登记日期", 2)),
			enum("unemployment_reason", "失业原因", 2, "劳动合同期满", "用人单位解除", "本人辞职", "其他"),
			boolean("receiving_benefit", "是否领取失业保险金", 3),
			str("reg_authority", "登记机构", 1),
			req(enum("status", "登记状态", 2, "失业", "已就业", "注销")),
		),
	},
	{
		Name:           "就业登记信息",
		Summary:        "劳动者就业登记信息，包括就业单位、就业形式和登记时间。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCHRSS,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于就业补贴审核、人才认定、社会救助家庭成员就业状况核查等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-05-08",
		Fields: fields(
			key(idCard()),
			personName(),
			pii("uscc", str("employer_uscc", "用人单位统一社会信用代码", 2)),
			str("employer_name", "用人单位名称", 2),
			req(enum("employment_form", "就业形式", 2, "单位就业", "灵活就业", "自主创业", "公益性岗位")),
			key(date("employment_date", "就业登记日期", 2)),
			str("job_title", "岗位", 2),
		),
	},
	{
		Name:         "职业技能等级证书信息",
		Summary:      "经认定的职业技能等级评价机构颁发的职业技能等级证书信息，可用于技能人才补贴和人才认定。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCHRSS,
		Format:       "table",
		UpdateCycle:  "weekly",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenNone,
		PublishDate:  "2025-03-12",
		Fields: fields(
			key(str("cert_no", "证书编号", 2)),
			idCard(),
			personName(),
			req(str("occupation", "职业（工种）", 1)),
			req(enum("skill_level", "技能等级", 1, "五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师")),
			issueDate(),
			str("issuing_org", "评价机构", 1),
		),
	},
	{
		Name:           "单位参保缴费信息",
		Summary:        "参保单位按月缴纳社会保险费的人数、金额和欠费情况，用于涉企政策兑现和信用评价。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCHRSS,
		Format:         "table",
		UpdateCycle:    "monthly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于稳岗返还、涉企政策兑现和公共信用评价等法定职责",
		ShareMethod:    catalog.ShareMethodFile,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2025-03-12",
		Fields: fields(
			key(uscc()),
			orgName("单位名称"),
			key(str("contribution_month", "缴费年月", 1)),
			integer("insured_headcount", "参保人数", 2),
			decimal("total_contribution", "应缴金额（元）", 2),
			boolean("in_arrears", "是否欠费", 2),
		),
	},

	// ---- 湖州市卫生健康委员会 ----
	{
		Name:           "出生医学证明信息",
		Summary:        "助产机构签发的出生医学证明信息，是新生儿户籍登记、医保参保和预防接种建档的依据。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCHealth,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于新生儿户籍登记、医保参保登记、“出生一件事”联办等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-07-16",
		Fields: fields(
			key(str("cert_no", "出生医学证明编号", 3)),
			req(pii("name", str("newborn_name", "新生儿姓名", 3))),
			req(gender()),
			req(pii("birth_date", datetime("birth_time", "出生时间", 3))),
			integer("birth_weight", "出生体重（克）", 3),
			str("birth_place", "出生地点", 2),
			pii("name", str("mother_name", "母亲姓名", 3)),
			pii("id_card", str("mother_id_card", "母亲身份证号码", 3)),
			pii("name", str("father_name", "父亲姓名", 3)),
			pii("id_card", str("father_id_card", "父亲身份证号码", 3)),
			str("institution_name", "签发机构", 1),
			issueDate(),
		),
	},
	{
		Name:           "死亡医学证明信息",
		Summary:        "医疗卫生机构出具的居民死亡医学证明（推断）书信息，用于户籍注销、待遇停发和殡葬管理。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCHealth,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于户籍注销、养老金停发、医保待遇终止、殡葬管理等法定职责；死亡原因仅限卫生健康部门统计使用",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-07-16",
		Fields: fields(
			key(str("cert_no", "死亡医学证明编号", 3)),
			idCard(),
			personName(),
			gender(),
			req(datetime("death_time", "死亡时间", 3)),
			enum("death_place", "死亡地点", 2, "医疗卫生机构", "来院途中", "家中", "养老服务机构", "其他场所", "不详"),
			str("death_cause", "根本死亡原因", 4),
			str("institution_name", "出具机构", 1),
			issueDate(),
		),
	},
	{
		Name:         "医疗机构执业许可信息",
		Summary:      "本市医疗机构的执业登记信息，包括类别、诊疗科目和床位数，医疗机构名录向社会开放。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCHealth,
		Format:       "table",
		UpdateCycle:  "weekly",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2024-07-16",
		Fields: fields(
			key(str("reg_no", "登记号", 1)),
			req(str("institution_name", "机构名称", 1)),
			uscc(),
			legalRep(),
			pii("name", str("principal", "主要负责人", 1)),
			req(enum("institution_type", "机构类别", 1, "综合医院", "中医医院", "专科医院", "社区卫生服务中心", "乡镇卫生院", "诊所", "门诊部", "其他")),
			enum("ownership", "所有制形式", 1, "全民", "集体", "私人", "其他"),
			orgAddress("地址"),
			integer("beds", "核定床位数", 1),
			str("clinical_subjects", "诊疗科目", 1),
			validUntil(),
		),
	},
	{
		Name:         "执业医师注册信息",
		Summary:      "在本市注册的执业医师信息，包括执业类别、执业范围和执业机构。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCHealth,
		Format:       "table",
		UpdateCycle:  "weekly",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenNone,
		PublishDate:  "2024-09-05",
		Fields: fields(
			key(str("practice_cert_no", "医师执业证书编码", 2)),
			idCard(),
			personName(),
			gender(),
			req(enum("practice_type", "执业类别", 1, "临床", "中医", "口腔", "公共卫生")),
			str("practice_scope", "执业范围", 1),
			str("institution_name", "执业机构", 1),
			regDate(),
			str("qualification_cert_no", "医师资格证书编码", 2),
		),
	},
	{
		Name:           "预防接种信息",
		Summary:        "儿童预防接种记录，用于入托入学接种证查验和疫苗接种率统计。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCHealth,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于托育机构和学校入托入学预防接种证查验等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-09-05",
		Fields: fields(
			key(idCard()),
			personName(),
			birthDate(),
			key(str("vaccine_name", "疫苗名称", 3)),
			key(integer("dose_no", "剂次", 3)),
			req(date("vaccination_date", "接种日期", 3)),
			str("vaccine_batch", "疫苗批号", 2),
			str("vaccination_site", "接种单位", 1),
		),
	},
	{
		Name:         "严重精神障碍患者信息",
		Summary:      "在册严重精神障碍患者的诊断、危险性评估和随访管理信息。依法予以保密，不予共享。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCHealth,
		Format:       "table",
		UpdateCycle:  "monthly",
		ShareType:    catalog.ShareNone,
		LegalBasis:   "《中华人民共和国精神卫生法》第四条第三款：有关单位和个人应当对精神障碍患者的姓名、肖像、住址、工作单位、病历资料以及其他可能推断出其身份的信息予以保密",
		OpenType:     catalog.OpenNone,
		PublishDate:  "2024-09-05",
		Fields: fields(
			key(idCard()),
			personName(),
			gender(),
			phone(),
			address("现住址"),
			str("diagnosis", "诊断", 4),
			enum("risk_level", "危险性评估等级", 4, "0级", "1级", "2级", "3级", "4级", "5级"),
			enum("management_status", "管理状态", 3, "在管", "失访", "死亡", "迁出"),
			pii("name", str("guardian_name", "监护人姓名", 3)),
			pii("phone", str("guardian_phone", "监护人电话", 3)),
		),
	},

	// ---- 湖州市民政局 ----
	{
		Name:           "婚姻登记信息",
		Summary:        "婚姻登记机关办理的结婚、离婚登记信息，用于婚姻状况核验。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCCivil,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于不动产登记、住房公积金提取、户籍变更、社会救助家庭成员认定中的婚姻状况核验",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-04-10",
		Fields: fields(
			key(str("cert_no", "结婚证或离婚证字号", 3)),
			req(enum("reg_type", "登记类型", 2, "结婚登记", "离婚登记", "补领结婚证", "补领离婚证", "撤销婚姻")),
			req(pii("name", str("male_name", "男方姓名", 3))),
			indexed(req(pii("id_card", str("male_id_card", "男方身份证号码", 3)))),
			req(pii("name", str("female_name", "女方姓名", 3))),
			indexed(req(pii("id_card", str("female_id_card", "女方身份证号码", 3)))),
			regDate(),
			regAuthority("登记机关"),
		),
	},
	{
		Name:           "收养登记信息",
		Summary:        "办理收养登记和解除收养关系登记的信息，收养人要求保守收养秘密的应予尊重。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCCivil,
		Format:         "table",
		UpdateCycle:    "monthly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "仅用于被收养人户籍登记和收养关系核验，须逐案申请；收养人要求保守收养秘密的，不提供被收养人原身份信息",
		ShareMethod:    catalog.ShareMethodFile,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-04-10",
		Fields: fields(
			key(str("cert_no", "收养登记证字号", 3)),
			req(enum("reg_type", "登记类型", 2, "收养登记", "解除收养关系登记")),
			req(pii("name", str("adopter_name", "收养人姓名", 3))),
			req(pii("id_card", str("adopter_id_card", "收养人身份证号码", 3))),
			req(pii("name", str("adoptee_name", "被收养人姓名", 4))),
			enum("adoptee_gender", "被收养人性别", 3, "男", "女"),
			pii("birth_date", date("adoptee_birth_date", "被收养人出生日期", 4)),
			regDate(),
			regAuthority("登记机关"),
		),
	},
	{
		Name:           "低保对象信息",
		Summary:        "城乡最低生活保障对象及其保障金额，是社会救助主题库的核心数据。",
		Category:       catalog.CategoryTheme,
		ProviderUSCC:   USCCCivil,
		Format:         "table",
		UpdateCycle:    "monthly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于社会救助资格审核、医疗救助和教育救助对象认定、困难群众帮扶等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-06-18",
		Fields: fields(
			key(idCard()),
			personName(),
			gender(),
			phone(),
			address("居住地址"),
			req(enum("assistance_category", "保障类别", 2, "城市低保", "农村低保")),
			integer("household_size", "家庭保障人数", 3),
			req(decimal("monthly_amount", "月保障金额（元）", 3)),
			date("approval_date", "审批日期", 2),
			str("region_code", "所属区县", 1),
			req(enum("status", "保障状态", 2, "在保", "停保", "退保")),
		),
	},
	{
		Name:           "特困人员信息",
		Summary:        "经认定的特困人员及其供养方式、生活自理能力和基本生活标准。",
		Category:       catalog.CategoryTheme,
		ProviderUSCC:   USCCCivil,
		Format:         "table",
		UpdateCycle:    "monthly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于社会救助资格审核、医疗救助和养老服务补贴发放等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-06-18",
		Fields: fields(
			key(idCard()),
			personName(),
			gender(),
			birthDate(),
			address("居住地址"),
			req(enum("support_mode", "供养方式", 2, "集中供养", "分散供养")),
			enum("self_care_ability", "生活自理能力", 3, "完全自理", "部分失能", "完全失能"),
			decimal("basic_support_amount", "基本生活标准（元/月）", 3),
			date("approval_date", "认定日期", 2),
			req(enum("status", "人员状态", 2, "在册", "终止供养")),
		),
	},
	{
		Name:           "临时救助信息",
		Summary:        "对遭遇急难或支出型困难家庭实施临时救助的记录。",
		Category:       catalog.CategoryTheme,
		ProviderUSCC:   USCCCivil,
		Format:         "table",
		UpdateCycle:    "monthly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于社会救助资格审核和防止重复救助",
		ShareMethod:    catalog.ShareMethodFile,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2025-01-20",
		Fields: fields(
			key(str("assistance_no", "救助编号", 2)),
			idCard(),
			personName(),
			req(enum("assistance_reason", "救助类型", 2, "急难型", "支出型")),
			req(decimal("amount", "救助金额（元）", 3)),
			date("approval_date", "审批日期", 2),
			str("handling_unit", "经办单位", 1),
		),
	},
	{
		Name:           "殡葬火化信息",
		Summary:        "殡仪馆办理的遗体火化记录，用于户籍注销、养老金停发和医保待遇终止等业务核查。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCCivil,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于户籍注销、养老金停发、医保待遇终止、“身后一件事”联办等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-06-18",
		Fields: fields(
			key(str("cremation_cert_no", "火化证明编号", 2)),
			idCard(),
			personName(),
			gender(),
			req(date("death_date", "死亡日期", 3)),
			req(date("cremation_date", "火化日期", 2)),
			str("funeral_home", "殡仪馆名称", 1),
			address("户籍地址"),
		),
	},
	{
		Name:         "社会组织登记信息",
		Summary:      "在民政部门登记的社会团体、民办非企业单位和基金会的登记信息，向社会公开。",
		Category:     catalog.CategoryBase,
		ProviderUSCC: USCCCivil,
		Format:       "table",
		UpdateCycle:  "weekly",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2024-04-10",
		Fields: fields(
			key(uscc()),
			orgName("社会组织名称"),
			req(enum("org_type", "社会组织类型", 1, "社会团体", "民办非企业单位", "基金会")),
			req(legalRep()),
			str("supervisor", "业务主管单位", 1),
			decimal("reg_capital", "注册资金（万元）", 1),
			orgAddress("住所"),
			str("business_scope", "业务范围", 1),
			req(date("establish_date", "成立登记日期", 1)),
			req(enum("reg_status", "登记状态", 1, "正常", "撤销", "注销")),
			regAuthority("登记管理机关"),
		),
	},
	{
		Name:         "养老机构备案信息",
		Summary:      "在民政部门备案的养老机构名录，包括床位数和运营性质，向社会开放。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCCivil,
		Format:       "table",
		UpdateCycle:  "monthly",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodFile,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2025-04-02",
		Fields: fields(
			key(str("record_no", "备案编号", 1)),
			req(str("institution_name", "机构名称", 1)),
			uscc(),
			legalRep(),
			orgAddress("地址"),
			integer("beds", "床位数", 1),
			enum("operation_mode", "运营性质", 1, "公办公营", "公建民营", "民办"),
			pii("phone", str("phone", "机构联系电话", 1)),
			date("record_date", "备案日期", 1),
		),
	},

	// ---- 湖州市自然资源和规划局 ----
	{
		Name:           "不动产登记信息",
		Summary:        "不动产单元的权利人、权利类型、面积和抵押查封状态，是自然资源和空间地理基础库的组成部分。",
		Category:       catalog.CategoryBase,
		ProviderUSCC:   USCCNaturalRes,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于住房公积金贷款审核、社会救助家庭经济状况核对、税费征管、司法协助等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-05-28",
		Fields: fields(
			key(str("unit_no", "不动产单元号", 2)),
			req(str("location", "坐落", 2)),
			req(pii("name", str("right_holder", "权利人", 3))),
			req(pii("id_card", str("holder_id_no", "权利人证件号码", 3))),
			req(enum("right_type", "权利类型", 2, "国有建设用地使用权", "国有建设用地使用权/房屋所有权", "宅基地使用权/房屋所有权", "集体建设用地使用权", "土地承包经营权", "林地使用权")),
			enum("right_nature", "权利性质", 2, "出让", "划拨", "市场化商品房", "房改房", "自建房", "其他"),
			enum("usage", "用途", 2, "住宅", "商业", "办公", "工业", "其他"),
			decimal("building_area", "建筑面积（平方米）", 2),
			decimal("land_area", "土地使用面积（平方米）", 2),
			enum("co_ownership", "共有情况", 3, "单独所有", "共同共有", "按份共有"),
			regDate(),
			boolean("mortgaged", "是否抵押", 3),
			boolean("sealed", "是否查封", 3),
		),
	},
	{
		Name:           "不动产权证书信息",
		Summary:        "核发的不动产权证书照面信息，支持电子证照调用和证书真伪核验。",
		Category:       catalog.CategoryBase,
		ProviderUSCC:   USCCNaturalRes,
		Format:         "api",
		UpdateCycle:    "realtime",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于住房公积金提取和贷款、入学资格审核、户籍迁入等业务中的权属核验",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-05-28",
		Fields: fields(
			key(str("cert_no", "不动产权证书号", 2)),
			req(str("unit_no", "不动产单元号", 2)),
			req(pii("name", str("right_holder", "权利人", 3))),
			pii("id_card", str("holder_id_no", "权利人证件号码", 3)),
			str("location", "坐落", 2),
			enum("usage", "用途", 2, "住宅", "商业", "办公", "工业", "其他"),
			decimal("building_area", "建筑面积（平方米）", 2),
			issueDate(),
			regAuthority("登记机构"),
		),
	},
	{
		Name:         "国有土地使用权出让信息",
		Summary:      "国有建设用地使用权招拍挂和协议出让的成交结果，按规定向社会公开。",
		Category:     catalog.CategoryBase,
		ProviderUSCC: USCCNaturalRes,
		Format:       "table",
		UpdateCycle:  "weekly",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodFile,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2024-05-28",
		Fields: fields(
			key(str("contract_no", "出让合同编号", 1)),
			req(str("parcel_no", "宗地编号", 1)),
			str("location", "土地坐落", 1),
			decimal("land_area", "出让面积（平方米）", 1),
			req(enum("land_use", "土地用途", 1, "住宅用地", "商服用地", "工矿仓储用地", "公共管理与公共服务用地", "其他用地")),
			req(enum("supply_method", "供地方式", 1, "招标出让", "拍卖出让", "挂牌出让", "协议出让")),
			decimal("transaction_price", "成交价款（万元）", 1),
			integer("use_term_years", "出让年限（年）", 1),
			str("assignee", "受让人", 1),
			pii("uscc", str("assignee_uscc", "受让人统一社会信用代码", 1)),
			decimal("plot_ratio", "容积率上限", 1),
			date("contract_date", "合同签订日期", 1),
		),
	},
	{
		Name:         "建设工程规划许可信息",
		Summary:      "核发的建设工程规划许可证信息，按规定向社会公开。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCNaturalRes,
		Format:       "table",
		UpdateCycle:  "weekly",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2025-05-06",
		Fields: fields(
			key(str("permit_no", "建设工程规划许可证编号", 1)),
			req(str("project_name", "项目名称", 1)),
			req(str("builder", "建设单位", 1)),
			pii("uscc", str("builder_uscc", "建设单位统一社会信用代码", 1)),
			str("location", "建设位置", 1),
			decimal("building_area", "建设规模（平方米）", 1),
			issueDate(),
		),
	},

	// ---- 湖州市教育局 ----
	{
		Name:           "学籍信息",
		Summary:        "全市中小学和中职学校在校学生学籍信息，用于入学资格审核、学生资助和控辍保学。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCEducation,
		Format:         "table",
		UpdateCycle:    "weekly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于学生资助、义务教育控辍保学、随迁子女入学审核等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-09-01",
		Fields: fields(
			key(str("student_no", "全国学籍号", 3)),
			idCard(),
			personName(),
			gender(),
			birthDate(),
			req(str("school_name", "学校名称", 1)),
			str("grade", "年级", 2),
			str("class_name", "班级", 2),
			date("enrollment_date", "入学日期", 2),
			req(enum("student_status", "学籍状态", 2, "在读", "休学", "转出", "毕业", "辍学", "死亡")),
			pii("name", str("guardian_name", "监护人姓名", 3)),
			pii("phone", str("guardian_phone", "监护人电话", 3)),
		),
	},
	{
		Name:           "学历学位信息",
		Summary:        "本地高校和中职学校颁发的毕业证书和学位证书信息，支持人才认定中的学历核验。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCEducation,
		Format:         "api",
		UpdateCycle:    "yearly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于人才认定、落户、职称评审和招录中的学历核验",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-09-01",
		Fields: fields(
			key(str("cert_no", "毕业证书编号", 2)),
			idCard(),
			personName(),
			gender(),
			req(str("school_name", "毕业学校", 1)),
			str("major", "专业", 2),
			req(enum("education_level", "学历层次", 2, "中等职业", "专科", "本科", "硕士研究生", "博士研究生")),
			enum("degree", "学位", 2, "无", "学士", "硕士", "博士"),
			enum("study_form", "学习形式", 2, "全日制", "非全日制"),
			req(date("graduation_date", "毕业日期", 2)),
		),
	},
	{
		Name:         "教师资格信息",
		Summary:      "教师资格认定机构颁发的教师资格证书信息。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCEducation,
		Format:       "table",
		UpdateCycle:  "quarterly",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenNone,
		PublishDate:  "2024-10-15",
		Fields: fields(
			key(str("cert_no", "教师资格证书号码", 2)),
			idCard(),
			personName(),
			gender(),
			req(enum("qualification_type", "资格种类", 1, "幼儿园", "小学", "初级中学", "高级中学", "中等职业学校", "中等职业学校实习指导", "高等学校")),
			str("subject", "任教学科", 1),
			issueDate(),
			str("issuing_authority", "认定机构", 1),
		),
	},
	{
		Name:         "学校基本信息",
		Summary:      "全市各级各类学校的办学性质、类型、地址和在校生规模，向社会开放。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCEducation,
		Format:       "table",
		UpdateCycle:  "yearly",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodFile,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2025-09-01",
		Fields: fields(
			key(str("school_code", "学校标识码", 1)),
			req(str("school_name", "学校名称", 1)),
			uscc(),
			req(enum("school_type", "学校类型", 1, "幼儿园", "小学", "初级中学", "九年一贯制学校", "完全中学", "高级中学", "中等职业学校")),
			enum("school_nature", "办学性质", 1, "公办", "民办"),
			orgAddress("学校地址"),
			pii("name", str("principal", "校长", 1)),
			pii("phone", str("phone", "联系电话", 1)),
			integer("student_count", "在校生数", 1),
		),
	},
	{
		Name:           "学生资助信息",
		Summary:        "家庭经济困难学生享受国家助学金、免学费等资助的记录，属于社会救助主题库中的教育救助部分。",
		Category:       catalog.CategoryTheme,
		ProviderUSCC:   USCCEducation,
		Format:         "table",
		UpdateCycle:    "quarterly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于社会救助对象动态管理和防止重复资助",
		ShareMethod:    catalog.ShareMethodFile,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2025-03-01",
		Fields: fields(
			key(idCard()),
			personName(),
			req(str("school_name", "就读学校", 1)),
			key(enum("aid_type", "资助项目", 2, "国家助学金", "免学费", "营养改善计划", "生活补助", "其他")),
			key(integer("aid_year", "资助学年", 2)),
			decimal("amount", "资助金额（元）", 3),
			enum("difficulty_level", "家庭经济困难等级", 3, "一般困难", "困难", "特别困难"),
		),
	},

	// ---- 湖州市住房公积金管理中心 ----
	{
		Name:           "住房公积金缴存信息",
		Summary:        "职工住房公积金账户的缴存基数、比例、余额和账户状态。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCHousingFund,
		Format:         "table",
		UpdateCycle:    "monthly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于社会救助家庭经济状况核对、人才认定等法定职责；账户余额仅限经本人授权的事项使用",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-08-20",
		Fields: fields(
			key(str("account_no", "个人公积金账号", 3)),
			idCard(),
			personName(),
			pii("uscc", str("employer_uscc", "缴存单位统一社会信用代码", 2)),
			str("employer_name", "缴存单位名称", 2),
			decimal("deposit_base", "缴存基数（元）", 3),
			decimal("deposit_ratio", "缴存比例", 2),
			decimal("monthly_deposit", "月缴存额（元）", 3),
			decimal("balance", "账户余额（元）", 3),
			req(enum("account_status", "账户状态", 2, "正常", "封存", "冻结", "销户")),
			date("open_date", "开户日期", 2),
		),
	},
	{
		Name:           "住房公积金贷款信息",
		Summary:        "住房公积金个人住房贷款的合同、金额和还款状态。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCHousingFund,
		Format:         "table",
		UpdateCycle:    "monthly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于不动产抵押登记、社会救助家庭经济状况核对等法定职责",
		ShareMethod:    catalog.ShareMethodFile,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-08-20",
		Fields: fields(
			key(str("loan_contract_no", "借款合同编号", 3)),
			idCard(),
			personName(),
			req(decimal("loan_amount", "贷款金额（元）", 3)),
			integer("loan_term_months", "贷款期限（月）", 2),
			date("loan_date", "放款日期", 2),
			str("location", "所购房屋坐落", 3),
			req(enum("repay_status", "还款状态", 3, "正常", "逾期", "结清")),
		),
	},

	// ---- 国家税务总局湖州市税务局 ----
	{
		Name:         "纳税信用等级信息",
		Summary:      "企业纳税信用评价结果，A级纳税人名单按年度向社会公布，纳入社会信用主题库。",
		Category:     catalog.CategoryTheme,
		ProviderUSCC: USCCTax,
		Format:       "api",
		UpdateCycle:  "yearly",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2025-04-30",
		Fields: fields(
			key(uscc()),
			req(str("taxpayer_name", "纳税人名称", 1)),
			key(integer("eval_year", "评价年度", 1)),
			req(enum("credit_level", "纳税信用级别", 1, "A", "B", "M", "C", "D")),
			date("eval_date", "评价日期", 1),
			str("tax_authority", "主管税务机关", 1),
		),
	},
	{
		Name:           "税务登记信息",
		Summary:        "纳税人税务登记和纳税人资格信息，用于涉企政策兑现和企业状态核验。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCTax,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于市场主体注销、涉企政策兑现、政府采购资格审查等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-11-11",
		Fields: fields(
			key(uscc()),
			req(str("taxpayer_name", "纳税人名称", 1)),
			legalRep(),
			req(enum("taxpayer_status", "纳税人状态", 2, "正常", "非正常", "停业", "清算", "注销")),
			enum("taxpayer_type", "纳税人资格", 2, "增值税一般纳税人", "小规模纳税人"),
			str("tax_authority", "主管税务机关", 1),
			regDate(),
			pii("phone", str("finance_phone", "财务负责人电话", 3)),
		),
	},
	{
		Name:         "个人所得税纳税明细信息",
		Summary:      "个人所得税的所得项目、收入和已缴税额明细。属涉税保密信息，不予共享；需要纳税证明的可由本人通过税务渠道开具。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCTax,
		Format:       "table",
		UpdateCycle:  "monthly",
		ShareType:    catalog.ShareNone,
		LegalBasis:   "《中华人民共和国税收征收管理法》第八条；《纳税人涉税保密信息管理暂行办法》；《中华人民共和国个人信息保护法》第二十八条",
		OpenType:     catalog.OpenNone,
		PublishDate:  "2024-11-11",
		Fields: fields(
			key(idCard()),
			personName(),
			key(str("tax_period", "所属期", 2)),
			key(enum("income_item", "所得项目", 2, "工资薪金所得", "劳务报酬所得", "稿酬所得", "特许权使用费所得", "经营所得", "利息股息红利所得", "财产租赁所得", "财产转让所得", "偶然所得")),
			decimal("income_amount", "收入额（元）", 4),
			decimal("tax_amount", "已缴税额（元）", 4),
			str("withholding_agent", "扣缴义务人", 2),
			pii("uscc", str("withholding_uscc", "扣缴义务人统一社会信用代码", 2)),
		),
	},

	// ---- 湖州市医疗保障局 ----
	{
		Name:           "医保参保信息",
		Summary:        "职工基本医疗保险和城乡居民基本医疗保险的参保状态，支持参保核验。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCMedicalIns,
		Format:         "api",
		UpdateCycle:    "realtime",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于医疗救助、困难群众参保资助、新生儿参保等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2024-10-08",
		Fields: fields(
			key(idCard()),
			personName(),
			gender(),
			key(enum("insurance_type", "险种类型", 2, "职工基本医疗保险", "城乡居民基本医疗保险")),
			req(enum("insured_status", "参保状态", 2, "参保缴费", "暂停缴费", "终止参保")),
			str("insured_region", "参保地", 1),
			date("start_date", "参保开始日期", 2),
			str("employer_name", "参保单位名称", 2),
		),
	},
	{
		Name:         "医保定点医药机构信息",
		Summary:      "与医保经办机构签订服务协议的定点医疗机构和定点零售药店名录，向社会开放。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCMedicalIns,
		Format:       "table",
		UpdateCycle:  "monthly",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodFile,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2024-10-08",
		Fields: fields(
			key(str("institution_code", "定点医药机构编码", 1)),
			req(str("institution_name", "机构名称", 1)),
			uscc(),
			req(enum("institution_type", "机构类型", 1, "定点医疗机构", "定点零售药店")),
			enum("hospital_level", "医院等级", 1, "三级", "二级", "一级", "未定级"),
			orgAddress("地址"),
			date("agreement_start", "协议生效日期", 1),
		),
	},
	{
		Name:           "医疗费用结算信息",
		Summary:        "参保人住院和门诊费用的医保结算明细，含诊断信息，用于医疗救助和因病致贫返贫监测。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCMedicalIns,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "仅用于医疗救助“一站式”结算和因病致贫返贫监测，诊断信息须单独申请并说明必要性",
		ShareMethod:    catalog.ShareMethodFile,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2025-06-15",
		Fields: fields(
			key(str("settlement_no", "结算流水号", 2)),
			idCard(),
			personName(),
			str("institution_name", "就诊机构", 2),
			date("admission_date", "入院日期", 3),
			date("discharge_date", "出院日期", 3),
			str("diagnosis", "出院诊断", 4),
			req(decimal("total_cost", "医疗总费用（元）", 3)),
			decimal("fund_paid", "统筹基金支付（元）", 3),
			decimal("self_paid", "个人自付（元）", 3),
			req(date("settlement_date", "结算日期", 2)),
		),
	},

	// ---- 湖州市交通运输局 ----
	{
		Name:         "道路运输经营许可信息",
		Summary:      "道路旅客运输、货物运输经营许可证信息，向社会开放。",
		Category:     catalog.CategoryDepartment,
		ProviderUSCC: USCCTransport,
		Format:       "table",
		UpdateCycle:  "weekly",
		ShareType:    catalog.ShareUnconditional,
		ShareMethod:  catalog.ShareMethodAPI,
		OpenType:     catalog.OpenOpen,
		PublishDate:  "2025-02-25",
		Fields: fields(
			key(str("permit_no", "道路运输经营许可证号", 1)),
			req(str("operator_name", "业户名称", 1)),
			uscc(),
			str("business_scope", "经营范围", 1),
			orgAddress("地址"),
			issueDate(),
			validUntil(),
			req(enum("permit_status", "许可状态", 1, "有效", "注销", "吊销", "过期")),
		),
	},
	{
		Name:           "道路运输从业人员资格信息",
		Summary:        "道路运输驾驶员等从业人员的从业资格证和信用考核信息。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCTransport,
		Format:         "table",
		UpdateCycle:    "weekly",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于运输企业监管、网约车驾驶员资格审核和交通安全执法等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2025-02-25",
		Fields: fields(
			key(str("cert_no", "从业资格证号", 3)),
			idCard(),
			personName(),
			gender(),
			req(enum("qualification_category", "从业资格类别", 2, "道路旅客运输驾驶员", "道路货物运输驾驶员", "危险货物道路运输驾驶员", "危险货物道路运输押运人员", "出租汽车驾驶员")),
			issueDate(),
			validUntil(),
			enum("credit_rating", "诚信考核等级", 2, "AAA", "AA", "A", "B"),
		),
	},
	{
		Name:           "营运车辆道路运输证信息",
		Summary:        "营运车辆的道路运输证信息，用于车辆营运资格核验。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCTransport,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于交通安全执法、车辆保险和营运资格核验等法定职责",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2026-01-05",
		Fields: fields(
			key(str("transport_cert_no", "道路运输证号", 2)),
			req(str("plate_no", "车牌号码", 2)),
			req(str("operator_name", "业户名称", 1)),
			pii("uscc", str("uscc", "业户统一社会信用代码", 1)),
			str("vehicle_type", "车辆类型", 1),
			str("tonnage_seats", "吨（座）位", 1),
			issueDate(),
			validUntil(),
		),
	},

	// ---- 湖州市大数据发展管理局 ----
	{
		Name:           "政务服务办件信息",
		Summary:        "全市政务服务事项的受理、办结和评价记录，来自一体化政务服务平台。",
		Category:       catalog.CategoryTheme,
		ProviderUSCC:   USCCDataBureau,
		Format:         "table",
		UpdateCycle:    "daily",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "用于政务服务效能监督和本部门办件追溯，申请人信息仅限办件所属部门使用",
		ShareMethod:    catalog.ShareMethodFile,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2025-08-18",
		Fields: fields(
			key(str("case_no", "办件编号", 2)),
			req(str("item_code", "事项编码", 1)),
			req(str("item_name", "事项名称", 1)),
			pii("name", str("applicant_name", "申请人名称", 3)),
			pii("id_card", str("applicant_id_no", "申请人证件号码", 3)),
			str("handling_dept", "办理部门", 1),
			req(enum("channel", "申报渠道", 1, "窗口", "浙里办", "浙政钉", "自助终端")),
			req(datetime("accept_time", "受理时间", 2)),
			datetime("finish_time", "办结时间", 2),
			enum("result", "办理结果", 2, "办结", "退回", "不予受理", "不予许可"),
		),
	},
	{
		Name:           "12345政务服务便民热线工单信息",
		Summary:        "12345热线受理的咨询、求助、投诉、举报和建议工单及其办理结果。",
		Category:       catalog.CategoryDepartment,
		ProviderUSCC:   USCCDataBureau,
		Format:         "table",
		UpdateCycle:    "realtime",
		ShareType:      catalog.ShareConditional,
		ShareCondition: "仅向工单承办部门共享本部门工单，用于诉求办理和回访；来电号码仅限回访使用",
		ShareMethod:    catalog.ShareMethodAPI,
		OpenType:       catalog.OpenNone,
		PublishDate:    "2026-02-02",
		Fields: fields(
			key(str("ticket_no", "工单编号", 2)),
			pii("phone", str("caller_phone", "来电号码", 3)),
			req(enum("appeal_type", "诉求类型", 2, "咨询", "求助", "投诉", "举报", "建议", "表扬")),
			req(str("content", "诉求内容", 3)),
			address("事发地址"),
			req(datetime("accept_time", "受理时间", 2)),
			str("handling_dept", "承办部门", 1),
			req(enum("status", "工单状态", 2, "已受理", "办理中", "已办结", "已回访")),
			enum("satisfaction", "满意度", 2, "满意", "基本满意", "不满意"),
		),
	},
}
