package main

import (
	"encoding/json"
	"net"
	"net/http"
	"time"
)

// record is one row as the bare handler keeps it.
type record struct {
	IDCard, Name, Gender, BirthDate, Phone, Address, Religion string
}

func (r *record) get(field string) (string, bool) {
	switch field {
	case "id_card":
		return r.IDCard, true
	case "name":
		return r.Name, true
	case "gender":
		return r.Gender, true
	case "birth_date":
		return r.BirthDate, true
	case "phone":
		return r.Phone, true
	case "address":
		return r.Address, true
	case "religion":
		return r.Religion, true
	}
	return "", false
}

// buildMap puts the table's rows in a map by ID number. The strings share
// one backing array, as a server that loaded them from a file would.
func buildMap(t *table) map[string]record {
	all := string(t.data)
	cell := func(i, c int) string {
		k := i*nCols + c
		return all[t.off[k]:t.off[k+1]]
	}
	m := make(map[string]record, t.rows())
	for i := range t.rows() {
		m[cell(i, colID)] = record{IDCard: cell(i, colID), Name: cell(i, colName), Gender: cell(i, colGender), BirthDate: cell(i, colBirth),
			Phone: cell(i, colPhone), Address: cell(i, colAddress), Religion: cell(i, colReligion)}
	}
	return m
}

// bareHandler serves the same calls as the gateway from a map: decode,
// look up, encode the asked fields. No authentication, grant, masking,
// database or audit.
func bareHandler(m map[string]record) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /query", func(w http.ResponseWriter, r *http.Request) {
		var q struct {
			Where  map[string]string `json:"where"`
			Fields []string          `json:"fields"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&q); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		recs := []map[string]any{}
		if rec, ok := m[q.Where["id_card"]]; ok {
			out := make(map[string]any, len(q.Fields))
			for _, f := range q.Fields {
				if v, ok := rec.get(f); ok {
					out[f] = v
				}
			}
			recs = append(recs, out)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"records": recs})
	})
	mux.HandleFunc("POST /verify", func(w http.ResponseWriter, r *http.Request) {
		var v struct {
			Where map[string]string `json:"where"`
			Match map[string]string `json:"match"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&v); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rec, ok := m[v.Where["id_card"]]
		match := ok && len(v.Match) > 0
		for f, want := range v.Match {
			got, known := rec.get(f)
			match = match && known && got == want
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]bool{"match": match})
	})
	return mux
}

// startBare serves bareHandler on a new listener of this process and
// returns its base URL and a function that stops it.
func startBare(m map[string]record) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: bareHandler(m), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}
