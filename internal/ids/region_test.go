package ids

import (
	"strings"
	"testing"
)

func TestLoadRegions(t *testing.T) {
	tab, err := loadRegions()
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.provinces) != 31 || len(tab.cities) != 342 || len(tab.areas) != 2978 {
		t.Errorf("loaded %d provinces, %d cities, %d areas; want 31, 342, 2978",
			len(tab.provinces), len(tab.cities), len(tab.areas))
	}
	// Every known code has a name without grouping pseudo-names.
	for code := range tab.areas {
		name, ok := RegionName(code)
		if !ok || name == "" {
			t.Errorf("RegionName(%s) = %q, %v", code, name, ok)
		}
		if strings.Contains(name, "市辖区") || strings.Contains(name, "行政区划") {
			t.Errorf("RegionName(%s) = %q contains a grouping name", code, name)
		}
	}
	for code := range tab.cities {
		if !KnownRegion(code + "00") {
			t.Errorf("KnownRegion(%s00) = false", code)
		}
	}
	for code := range tab.provinces {
		if !KnownRegion(code + "0000") {
			t.Errorf("KnownRegion(%s0000) = false", code)
		}
	}
}

func TestRegionName(t *testing.T) {
	tests := []struct {
		code   string
		want   string
		wantOK bool
	}{
		{"110105", "北京市朝阳区", true}, // 市辖区 skipped
		{"110101", "北京市东城区", true}, // 市辖区 skipped
		{"440305", "广东省深圳市南山区", true},
		{"440523", "广东省汕头市南澳县", true},
		{"350100", "福建省福州市", true}, // city code + 00
		{"440300", "广东省深圳市", true}, // city code + 00
		{"110100", "北京市", true},    // 市辖区 + 00
		{"110000", "北京市", true},    // province code + 0000
		{"440000", "广东省", true},    // province code + 0000
		{"650000", "新疆维吾尔自治区", true},
		{"500229", "重庆市城口县", true},  // 县 skipped
		{"500200", "重庆市", true},     // 县 + 00
		{"419001", "河南省济源市", true},  // 省直辖县级行政区划 skipped
		{"469002", "海南省琼海市", true},  // 省直辖县级行政区划 skipped
		{"441900", "广东省东莞市", true},  // county name equal to city name
		{"620201", "甘肃省嘉峪关市", true}, // county name equal to city name
		{"440524", "", false},       // 潮阳县, withdrawn before the snapshot
		{"440399", "", false},       // unknown county in a known city
		{"449900", "", false},       // unknown city in a known province
		{"710000", "", false},       // not in the snapshot
		{"990000", "", false},
		{"000000", "", false},
		{"11010", "", false},
		{"1101050", "", false},
		{"11010A", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := RegionName(tt.code)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("RegionName(%q) = %q, %v, want %q, %v", tt.code, got, ok, tt.want, tt.wantOK)
		}
		if known := KnownRegion(tt.code); known != tt.wantOK {
			t.Errorf("KnownRegion(%q) = %v, want %v", tt.code, known, tt.wantOK)
		}
	}
}

func TestValidRegionCodeFormat(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"110105", true},
		{"440524", true}, // withdrawn, but the format and province are fine
		{"449999", true},
		{"650000", true},
		{"710000", false}, // province code not in the snapshot
		{"000000", false},
		{"990101", false},
		{"11010", false},
		{"1101050", false},
		{"11010A", false},
		{"１10105", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidRegionCodeFormat(tt.code); got != tt.want {
			t.Errorf("ValidRegionCodeFormat(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestRegionsOfExamples(t *testing.T) {
	if r := USCCRegion("91350100M000100Y43"); !KnownRegion(r) {
		t.Errorf("KnownRegion(%q) = false", r)
	}
	if name, ok := RegionName(USCCRegion("91110000600037341L")); name != "北京市" || !ok {
		t.Errorf("RegionName of 91110000600037341L = %q, %v", name, ok)
	}
}

func BenchmarkRegionName(b *testing.B) {
	regions() // load outside the timed loop
	for b.Loop() {
		if _, ok := RegionName("440305"); !ok {
			b.Fatal("440305 not found")
		}
	}
}

func BenchmarkKnownRegion(b *testing.B) {
	regions()
	for b.Loop() {
		if !KnownRegion("110105") {
			b.Fatal("110105 not found")
		}
	}
}
