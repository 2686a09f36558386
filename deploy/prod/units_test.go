package prod

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/agent"
)

// unit is a parsed systemd unit file: section -> key -> values in order.
type unit map[string]map[string][]string

func (u unit) get(section, key string) string {
	vs := u[section][key]
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

func parseUnit(t *testing.T, path string) unit {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not key=value in a section: %q", path, n, line)
			}
			u[section][k] = append(u[section][k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return u
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// buildBinaries builds bin/citychain and bin/edge-agent from this tree into
// a directory of the test run.
func buildBinaries(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := local.FindRepoRoot()
		if err != nil {
			buildErr = err
			return
		}
		binDir, buildErr = os.MkdirTemp("", "citychain-prod-bin-")
		if buildErr != nil {
			return
		}
		for _, b := range []string{"citychain", "edge-agent"} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, b), "./cmd/"+b)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = &buildError{b, out, err}
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

type buildError struct {
	bin string
	out []byte
	err error
}

func (e *buildError) Error() string {
	return "go build ./cmd/" + e.bin + ": " + e.err.Error() + "\n" + string(e.out)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var unitNames = []string{"citychain-node", "citychain-settle", "citychain-api", "citychain-edge-agent"}

// execStart splits an ExecStart= line into the binary's base name, the
// subcommand words and the flag names used.
func execStart(line string) (bin string, sub, flags []string) {
	fields := strings.Fields(line)
	bin = filepath.Base(fields[0])
	i := 1
	for ; i < len(fields) && !strings.HasPrefix(fields[i], "-"); i++ {
		sub = append(sub, fields[i])
	}
	for ; i < len(fields); i++ {
		if f, ok := strings.CutPrefix(fields[i], "--"); ok {
			name, _, _ := strings.Cut(f, "=")
			flags = append(flags, name)
		} else if f, ok := strings.CutPrefix(fields[i], "-"); ok {
			name, _, _ := strings.Cut(f, "=")
			flags = append(flags, name)
		}
	}
	return bin, sub, flags
}

// Every unit has the hardening and restart policy operations.md promises,
// and every ExecStart runs a subcommand of the built binaries with flags
// they accept.
func TestSystemdUnits(t *testing.T) {
	dir := buildBinaries(t)
	for _, name := range unitNames {
		t.Run(name, func(t *testing.T) {
			u := parseUnit(t, filepath.Join("systemd", name+".service"))
			for _, want := range []struct{ section, key, value string }{
				{"Service", "NoNewPrivileges", "yes"},
				{"Service", "ProtectSystem", "strict"},
				{"Service", "Restart", "on-failure"},
				{"Service", "Type", "simple"},
				{"Install", "WantedBy", "multi-user.target"},
			} {
				if got := u.get(want.section, want.key); got != want.value {
					t.Errorf("[%s] %s: got %q, want %q", want.section, want.key, got, want.value)
				}
			}
			for _, key := range []string{"User", "LimitNOFILE", "ReadWritePaths", "ExecStart"} {
				if u.get("Service", key) == "" {
					t.Errorf("[Service] %s missing", key)
				}
			}
			if u.get("Service", "User") == "root" {
				t.Error("[Service] User=root")
			}
			for _, key := range []string{"After", "Wants"} {
				if !slices.Contains(strings.Fields(u.get("Unit", key)), "network-online.target") {
					t.Errorf("[Unit] %s: got %q, want network-online.target in it", key, u.get("Unit", key))
				}
			}
			writable := strings.Fields(u.get("Service", "ReadWritePaths"))
			bin, sub, flags := execStart(u.get("Service", "ExecStart"))
			if bin != "citychain" && bin != "edge-agent" {
				t.Fatalf("ExecStart runs %q, not citychain or edge-agent", bin)
			}
			// The help output lists every flag the subcommand accepts
			// (cobra: "--name"; the edge agent's flag package: "-name").
			out, _ := exec.Command(filepath.Join(dir, bin), append(slices.Clone(sub), "--help")...).CombinedOutput()
			if bin == "citychain" && !strings.Contains(string(out), "citychain "+strings.Join(sub, " ")) {
				t.Fatalf("citychain %s --help: not a citychain command:\n%s", strings.Join(sub, " "), out)
			}
			for _, f := range flags {
				if !regexp.MustCompile(`(?m)(^|\s)--?` + regexp.QuoteMeta(f) + `(\s|=|$)`).Match(out) {
					t.Errorf("ExecStart flag --%s: not in `%s %s --help`:\n%s", f, bin, strings.Join(sub, " "), out)
				}
			}
			// The node writes its home; the edge agent its state and outbox.
			if v := flagValue(u.get("Service", "ExecStart"), "home"); v != "" && !under(v, writable) {
				t.Errorf("--home %s is not under ReadWritePaths %v", v, writable)
			}
			if bin == "edge-agent" {
				c, err := agent.LoadConfig("edge-agent.yaml")
				if err != nil {
					t.Fatal(err)
				}
				if p := flagValue(u.get("Service", "ExecStart"), "config"); p != "/etc/edge-agent/edge.yaml" {
					t.Errorf("--config %s: docs/operations.md installs deploy/prod/edge-agent.yaml as /etc/edge-agent/edge.yaml", p)
				}
				for _, p := range []string{c.StateDir, c.Outbox.Path} {
					if !under(p, writable) {
						t.Errorf("edge-agent.yaml path %s is not under ReadWritePaths %v", p, writable)
					}
				}
			}
		})
	}
}

func flagValue(execLine, name string) string {
	fields := strings.Fields(execLine)
	for i, f := range fields {
		if f == "--"+name && i+1 < len(fields) {
			return fields[i+1]
		}
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

func under(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, strings.TrimSuffix(d, "/")+"/") {
			return true
		}
	}
	return false
}

// systemd-analyze verify accepts the units (with ExecStart pointing at the
// binaries built here; systemd checks the executable exists). It prints
// problems as warnings and may still exit 0, so any line naming one of
// the units fails the test.
func TestSystemdAnalyzeVerify(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	dir := buildBinaries(t)
	tmp := t.TempDir()
	var paths []string
	for _, name := range unitNames {
		b, err := os.ReadFile(filepath.Join("systemd", name+".service"))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ReplaceAll(string(b), "/usr/local/bin/", dir+"/")
		p := filepath.Join(tmp, name+".service")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, err := exec.Command(sa, append([]string{"verify"}, paths...)...).CombinedOutput()
	var problems []string
	for _, line := range strings.Split(string(out), "\n") {
		for _, name := range unitNames {
			if strings.Contains(line, name+".service") {
				problems = append(problems, line)
				break
			}
		}
	}
	if err != nil || len(problems) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, strings.Join(problems, "\n"))
	}
}
