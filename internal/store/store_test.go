package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"huitong/internal/store"
	"huitong/internal/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *store.DB {
		db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// TestPostgres runs the suite on PostgreSQL when HUITONG_TEST_POSTGRES holds
// a connection URL. Each test gets its own schema, dropped afterwards.
func TestPostgres(t *testing.T) {
	dsn := os.Getenv("HUITONG_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("HUITONG_TEST_POSTGRES is not set")
	}
	storetest.Run(t, func(t *testing.T) *store.DB {
		return OpenPostgresSchema(t, dsn)
	})
}

// OpenPostgresSchema opens the store in a fresh schema of the database at dsn.
func OpenPostgresSchema(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), storetest.PostgresSchema(t, dsn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.db")
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := store.OpenReadOnly(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if n, err := ro.AuditSize(t.Context()); err != nil || n != 0 {
		t.Errorf("AuditSize = %d, %v", n, err)
	}
	if _, err := ro.NextResourceCode(t.Context(), "JC-1"); err == nil {
		t.Error("a read-only database took a write")
	}
	if _, err := store.OpenReadOnly(t.Context(), filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Error("opened a missing file")
	}
}
