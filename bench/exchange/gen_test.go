package main

import (
	"bytes"
	"testing"

	"huitong/internal/ids"
)

// TestGenerator checks that the generator is deterministic and makes
// distinct, valid ID numbers whose gender digit matches the gender column.
func TestGenerator(t *testing.T) {
	var a, b bytes.Buffer
	if err := writeCSV(&a, 20000, 1); err != nil {
		t.Fatal(err)
	}
	if err := writeCSV(&b, 20000, 1); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs with the same seed differ")
	}
	g, err := newGenerator(20000, 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range 20000 {
		row := g.row(i)
		id := row[colID]
		if err := ids.ValidateIDCard(id); err != nil {
			t.Fatalf("row %d: %s: %v", i, id, err)
		}
		if seen[id] {
			t.Fatalf("row %d: %s repeats", i, id)
		}
		seen[id] = true
		if male := (id[16]-'0')%2 == 1; male != (row[colGender] == "男") {
			t.Fatalf("row %d: %s is %s", i, id, row[colGender])
		}
	}
}
