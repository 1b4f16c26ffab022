package audit_test

import "os"

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s+"\n"), 0o600) }
