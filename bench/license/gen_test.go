package main

import (
	"encoding/csv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"huitong/internal/ids"
)

func TestGenCompany(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for _, i := range []int{0, 1, 2, 4095, 1 << 20, 100<<20 + 99999} {
		c := genCompany(i, r)
		if err := ids.ValidateUSCC(c.USCC); err != nil {
			t.Errorf("company %d: USCC %s: %v", i, c.USCC, err)
		}
		if seen[c.USCC] {
			t.Errorf("company %d: USCC %s twice", i, c.USCC)
		}
		seen[c.USCC] = true
		if c.Name == "" || c.LegalRep == "" || c.Number == "" {
			t.Errorf("company %d: %+v", i, c)
		}
	}
}

func TestWriteImportCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "import.csv")
	if _, err := writeImportCSV(path, 100<<20, 50, 1); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 51 || len(rows[0]) != 9 {
		t.Fatalf("%d rows of %d columns", len(rows), len(rows[0]))
	}
	for _, row := range rows[1:] {
		if err := ids.ValidateUSCC(row[1]); err != nil {
			t.Errorf("row %v: %v", row, err)
		}
	}
}
