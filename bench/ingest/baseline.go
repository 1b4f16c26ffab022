package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"huitong/bench/internal/benchutil"
)

// baselineRun is one timed load of the CSV by the database's own bulk
// loader into a plain table.
type baselineRun struct {
	What   string
	Rows   int64
	Wall   time.Duration
	CPU    cpuUse
	Load   string
	MaxRSS uint64 // of the sqlite3 process; 0 for COPY (in the server)
}

func (b baselineRun) rate() float64 { return float64(b.Rows) / b.Wall.Seconds() }

// ensureSQLite3 installs the sqlite3 command-line shell when it is missing.
func ensureSQLite3() (string, error) {
	if p, err := exec.LookPath("sqlite3"); err == nil {
		return p, nil
	}
	benchutil.Logf("sqlite3 is missing: apt-get install -y sqlite3")
	for _, args := range [][]string{{"apt-get", "update"}, {"apt-get", "install", "-y", "sqlite3"}} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("%s: %w", strings.Join(args, " "), err)
		}
	}
	return exec.LookPath("sqlite3")
}

func sqlite3Version(bin string) string {
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.Fields(string(out))[0]
}

// importSQLite times `sqlite3 new.db ".mode csv" ".import data.csv t"`: the
// shell creates t with a TEXT column per header cell and loads every row,
// with its default settings (rollback journal, synchronous=FULL), in dir.
func importSQLite(bin, dir, csvPath string, rows int) (baselineRun, error) {
	d, err := os.MkdirTemp(dir, "sqlite3-import-")
	if err != nil {
		return baselineRun{}, err
	}
	defer os.RemoveAll(d)
	db := filepath.Join(d, "import.db")
	cmd := exec.Command(bin, db, ".mode csv", ".import "+csvPath+" t", "SELECT count(*) FROM t;")
	cmd.Stderr = os.Stderr
	load := benchutil.LoadAvg()
	c0, t0 := readCPUTimes(), time.Now()
	out, err := cmd.Output()
	wall := time.Since(t0)
	if err != nil {
		return baselineRun{}, fmt.Errorf("sqlite3 .import: %w", err)
	}
	cpu := cpuBetween(c0, readCPUTimes(), wall)
	var n int64
	if _, err := fmt.Sscan(strings.TrimSpace(string(out)), &n); err != nil || n != int64(rows) {
		return baselineRun{}, fmt.Errorf("sqlite3 .import loaded %q rows, want %d", strings.TrimSpace(string(out)), rows)
	}
	r := baselineRun{What: "sqlite3 .import", Rows: n, Wall: wall, CPU: cpu, Load: load}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSS = uint64(ru.Maxrss) << 10
	}
	return r, nil
}

// copyPostgres times `COPY t FROM STDIN WITH (FORMAT csv, HEADER)` of the
// CSV file into a new plain table of ten TEXT columns, over one pgx
// connection, in autocommit (COPY is its own transaction).
func copyPostgres(ctx context.Context, dsn, csvPath string, rows int) (baselineRun, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return baselineRun{}, err
	}
	defer conn.Close(ctx)
	for _, s := range []string{`DROP TABLE IF EXISTS copy_baseline`, `CREATE TABLE copy_baseline (` + textColumns() + `)`} {
		if _, err := conn.Exec(ctx, s); err != nil {
			return baselineRun{}, err
		}
	}
	defer conn.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS copy_baseline`)
	f, err := os.Open(csvPath)
	if err != nil {
		return baselineRun{}, err
	}
	defer f.Close()
	load := benchutil.LoadAvg()
	c0, t0 := readCPUTimes(), time.Now()
	tag, err := conn.PgConn().CopyFrom(ctx, f, `COPY copy_baseline FROM STDIN WITH (FORMAT csv, HEADER)`)
	wall := time.Since(t0)
	if err != nil {
		return baselineRun{}, fmt.Errorf("COPY: %w", err)
	}
	if tag.RowsAffected() != int64(rows) {
		return baselineRun{}, fmt.Errorf("COPY loaded %d rows, want %d", tag.RowsAffected(), rows)
	}
	return baselineRun{What: "COPY FROM STDIN (csv)", Rows: tag.RowsAffected(), Wall: wall,
		CPU: cpuBetween(c0, readCPUTimes(), wall), Load: load}, nil
}

// plainInsert times the floor huitong's SQLite store stands on: the CSV
// read with encoding/csv and inserted through modernc.org/sqlite and
// database/sql, as the store does, into a new plain table of ten TEXT
// columns with no index, no checks and no typing, in one transaction of
// prepared 100-row INSERTs (WAL, synchronous=FULL, the writer's 64 MiB
// cache). Set against `.import` it shows how much of the distance to the
// C shell is the engine's own.
func plainInsert(dir, csvPath string, rows int) (baselineRun, error) {
	d, err := os.MkdirTemp(dir, "plain-insert-")
	if err != nil {
		return baselineRun{}, err
	}
	defer os.RemoveAll(d)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(d, "plain.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)")
	if err != nil {
		return baselineRun{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (` + textColumns() + `)`); err != nil {
		return baselineRun{}, err
	}
	f, err := os.Open(csvPath)
	if err != nil {
		return baselineRun{}, err
	}
	defer f.Close()
	load := benchutil.LoadAvg()
	c0, t0 := readCPUTimes(), time.Now()
	const per = 100
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(header)), ",") + ")"
	tx, err := db.Begin()
	if err != nil {
		return baselineRun{}, err
	}
	defer tx.Rollback()
	insert := func(n int) (*sql.Stmt, error) {
		return tx.Prepare(`INSERT INTO t VALUES ` + strings.TrimSuffix(strings.Repeat(one+",", n), ","))
	}
	full, err := insert(per)
	if err != nil {
		return baselineRun{}, err
	}
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return baselineRun{}, err
	}
	args := make([]any, 0, per*len(header))
	var n int64
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		st := full
		if len(args) < cap(args) {
			var err error
			if st, err = insert(len(args) / len(header)); err != nil {
				return err
			}
		}
		_, err := st.Exec(args...)
		args = args[:0]
		return err
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return baselineRun{}, err
		}
		for _, v := range rec {
			args = append(args, v)
		}
		n++
		if len(args) == cap(args) {
			if err := flush(); err != nil {
				return baselineRun{}, err
			}
		}
	}
	if err := flush(); err != nil {
		return baselineRun{}, err
	}
	if err := tx.Commit(); err != nil {
		return baselineRun{}, err
	}
	wall := time.Since(t0)
	if n != int64(rows) {
		return baselineRun{}, fmt.Errorf("plain insert read %d rows, want %d", n, rows)
	}
	return baselineRun{What: "modernc.org/sqlite plain insert", Rows: n, Wall: wall,
		CPU: cpuBetween(c0, readCPUTimes(), wall), Load: load}, nil
}

// textColumns is the column list of a plain table of one TEXT column per
// header cell.
func textColumns() string {
	cols := make([]string, len(header))
	for i := range header {
		cols[i] = fmt.Sprintf("c%d TEXT", i+1)
	}
	return strings.Join(cols, ", ")
}
