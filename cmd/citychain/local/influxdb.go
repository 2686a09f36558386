package local

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// InfluxDBOptions configures a local InfluxDB 1.8 server.
type InfluxDBOptions struct {
	// Port of the HTTP API on 127.0.0.1; 0 picks a free one.
	Port int
	// Binary overrides the influxd found by InfluxdBinary.
	Binary string
	// Database to create; "" means "citychain".
	Database string
}

// InfluxDB is a running local InfluxDB 1.8 with Flux enabled and
// authentication off.
type InfluxDB struct {
	process
	// URL is the HTTP API, http://127.0.0.1:PORT.
	URL string
	// Database is the database created at start.
	Database string
	// Bucket is the v2 API's name for the database's default retention
	// policy, "DATABASE/autogen", for influxdb-client-go/v2.
	Bucket string
	// Dir holds the configuration, the data and the log.
	Dir string
}

// Token is any token: with authentication off the server ignores it.
const Token = "local"

// StartInfluxDB writes a configuration into dir (data in dir/data, meta,
// wal; HTTP on 127.0.0.1 with Flux; reporting, monitoring and every other
// listener off), starts influxd, waits until /ping answers 204 and creates
// the database.
func StartInfluxDB(ctx context.Context, dir string, o InfluxDBOptions) (*InfluxDB, error) {
	bin := o.Binary
	if bin == "" {
		var err error
		if bin, err = InfluxdBinary(); err != nil {
			return nil, err
		}
	}
	if o.Port == 0 {
		var err error
		if o.Port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	rpcPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	if o.Database == "" {
		o.Database = "citychain"
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("influxdb dir: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("influxdb dir: %w", err)
	}
	conf := fmt.Sprintf(`reporting-disabled = true
bind-address = "127.0.0.1:%d"

[meta]
  dir = "%[2]s/meta"
  logging-enabled = false

[data]
  dir = "%[2]s/data"
  wal-dir = "%[2]s/wal"
  query-log-enabled = false
  wal-fsync-delay = "0s"

[coordinator]
  log-queries-after = "0s"

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:%[3]d"
  auth-enabled = false
  flux-enabled = true
  log-enabled = false
  write-tracing = false
  pprof-enabled = false

[logging]
  level = "warn"
`, rpcPort, abs, o.Port)
	confPath := filepath.Join(abs, "influxdb.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return nil, fmt.Errorf("write influxdb config: %w", err)
	}
	db := &InfluxDB{
		process:  process{name: "influxd", bin: bin, args: []string{"-config", confPath}, logPath: filepath.Join(abs, "influxd.log")},
		URL:      "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(o.Port)),
		Database: o.Database,
		Bucket:   o.Database + "/autogen",
		Dir:      abs,
	}
	if err := db.Restart(ctx); err != nil {
		return nil, err
	}
	if err := db.Exec(ctx, "CREATE DATABASE "+quoteIdent(o.Database)); err != nil {
		_ = db.Kill()
		return nil, err
	}
	return db, nil
}

// Restart starts influxd again (after Stop or Kill) on the same port with
// the same data and waits until /ping answers 204.
func (db *InfluxDB) Restart(ctx context.Context) error {
	if err := db.start(); err != nil {
		return err
	}
	if err := db.waitReady(ctx, db.ping); err != nil {
		_ = db.Kill()
		return err
	}
	return nil
}

func (db *InfluxDB) ping(ctx context.Context) bool {
	return HTTPStatus(ctx, db.URL+"/ping") == http.StatusNoContent
}

// HTTPStatus is the status code GET url answers with, or 0 when it gets no
// answer.
func HTTPStatus(ctx context.Context, url string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// Exec runs an InfluxQL statement through POST /query (database
// management: CREATE DATABASE, DROP SERIES, ...).
func (db *InfluxDB) Exec(ctx context.Context, q string) error {
	form := url.Values{"q": {q}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, db.URL+"/query", strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("influxdb %q: %w", q, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("influxdb %q: %w", q, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK || strings.Contains(string(body), `"error"`) {
		return fmt.Errorf("influxdb %q: status %d: %s", q, res.StatusCode, body)
	}
	return nil
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
