package ids

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"sync"
)

// regionFS holds the GB/T 2260 snapshot; see regions/LICENSE.
//
//go:embed regions/provinces.csv regions/cities.csv regions/areas.csv
var regionFS embed.FS

// regionTable is the parsed region snapshot, keyed by code.
type regionTable struct {
	provinces map[string]string // 2-digit code -> name
	cities    map[string]string // 4-digit code -> name
	areas     map[string]string // 6-digit code -> name
}

// regions parses the embedded tables on first use. The data is fixed at
// build time and covered by tests, so a parse failure is a programming
// error and panics.
var regions = sync.OnceValue(func() *regionTable {
	t, err := loadRegions()
	if err != nil {
		panic("ids: embedded region data: " + err.Error())
	}
	return t
})

// nonNameCities are city-level entries that group county-level divisions
// without being a city themselves; they are left out of joined names.
var nonNameCities = map[string]bool{
	"市辖区":         true,
	"县":           true,
	"省直辖县级行政区划":   true,
	"自治区直辖县级行政区划": true,
}

// RegionName returns the full name of a known region code, joining the
// province, city and county-level names without separators, for example
// "北京市朝阳区" for 110105 and "广东省深圳市南山区" for 440305. City-level
// groupings such as "市辖区", "县" and "省直辖县级行政区划" are skipped, and a
// county-level name equal to its city's name is not repeated. City codes
// followed by "00" and province codes followed by "0000" give the city's or
// the province's name. ok is false for codes that [KnownRegion] rejects.
func RegionName(code6 string) (name string, ok bool) {
	if len(code6) != 6 || !allDigits(code6) {
		return "", false
	}
	t := regions()
	prov, ok := t.provinces[code6[:2]]
	if !ok {
		return "", false
	}
	area, isArea := t.areas[code6]
	city, isCity := t.cities[code6[:4]]
	switch {
	case isArea:
	case code6[4:] == "00" && isCity:
	case code6[2:] == "0000":
		return prov, true
	default:
		return "", false
	}
	var b strings.Builder
	b.Grow(len(prov) + len(city) + len(area))
	b.WriteString(prov)
	if isCity && !nonNameCities[city] {
		b.WriteString(city)
	}
	if isArea && !(isCity && area == city) {
		b.WriteString(area)
	}
	return b.String(), true
}

// KnownRegion reports whether code6 is a county-level code in the embedded
// GB/T 2260 snapshot, or a known city code followed by "00", or a known
// province code followed by "0000".
func KnownRegion(code6 string) bool {
	if len(code6) != 6 || !allDigits(code6) {
		return false
	}
	t := regions()
	if _, ok := t.areas[code6]; ok {
		return true
	}
	if code6[4:] == "00" {
		if _, ok := t.cities[code6[:4]]; ok {
			return true
		}
	}
	if code6[2:] == "0000" {
		_, ok := t.provinces[code6[:2]]
		return ok
	}
	return false
}

// ValidRegionCodeFormat reports whether code consists of 6 ASCII digits
// whose first two are a known province code. It does not check the city
// or county part, so it also accepts withdrawn codes that still appear in
// older identity numbers and credit codes.
func ValidRegionCodeFormat(code string) bool {
	if len(code) != 6 || !allDigits(code) {
		return false
	}
	_, ok := regions().provinces[code[:2]]
	return ok
}

// loadRegions parses the three embedded CSV files.
func loadRegions() (*regionTable, error) {
	t := &regionTable{}
	var err error
	if t.provinces, err = loadRegionFile("regions/provinces.csv", 2, ""); err != nil {
		return nil, err
	}
	if t.cities, err = loadRegionFile("regions/cities.csv", 4, "provinceCode"); err != nil {
		return nil, err
	}
	if t.areas, err = loadRegionFile("regions/areas.csv", 6, "cityCode"); err != nil {
		return nil, err
	}
	for code := range t.cities {
		if _, ok := t.provinces[code[:2]]; !ok {
			return nil, fmt.Errorf("city %s has no province", code)
		}
	}
	for code := range t.areas {
		if _, ok := t.cities[code[:4]]; !ok {
			return nil, fmt.Errorf("area %s has no city", code)
		}
	}
	return t, nil
}

// loadRegionFile reads a CSV file whose first two columns are code and
// name, checking that every code is a string of codeLen digits. If
// parentCol is not empty, the header must have that column as its third
// and its value must be the code's prefix.
func loadRegionFile(path string, codeLen int, parentCol string) (map[string]string, error) {
	f, err := regionFS.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	if len(header) < 2 || header[0] != "code" || header[1] != "name" ||
		(parentCol != "" && (len(header) < 3 || header[2] != parentCol)) {
		return nil, fmt.Errorf("%s: unexpected header %q", path, header)
	}
	m := make(map[string]string)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		code, name := rec[0], rec[1]
		if len(code) != codeLen || !allDigits(code) || name == "" {
			return nil, fmt.Errorf("%s: bad record %q", path, rec)
		}
		if parentCol != "" && !strings.HasPrefix(code, rec[2]) {
			return nil, fmt.Errorf("%s: code %s is not under %s %s", path, code, parentCol, rec[2])
		}
		if _, dup := m[code]; dup {
			return nil, fmt.Errorf("%s: duplicate code %s", path, code)
		}
		m[code] = name
	}
	return m, nil
}
