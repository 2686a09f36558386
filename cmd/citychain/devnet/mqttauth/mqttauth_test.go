package mqttauth

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citychain/citychain/edge/reading"
)

// TestPasswordsMosquittoPasswd verifies a hash written by the real
// mosquitto_passwd; the broker tests in cmd/citychain/devnet check the other
// direction (Mosquitto accepting hashes written here).
func TestPasswordsMosquittoPasswd(t *testing.T) {
	bin, err := exec.LookPath("mosquitto_passwd")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("mosquitto_passwd not installed (required when CI is set)")
		}
		t.Skip("mosquitto_passwd not installed")
	}
	path := filepath.Join(t.TempDir(), "passwd")
	if out, err := exec.Command(bin, "-c", "-b", path, "alice", "s3cret pass").CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_passwd: %v\n%s", err, out)
	}
	p, err := LoadPasswords(path)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Verify("alice", "s3cret pass") {
		t.Error("mosquitto_passwd's hash of the right password: not verified")
	}
	if p.Verify("alice", "s3cret") || p.Verify("bob", "s3cret pass") {
		t.Error("wrong password or unknown user verified")
	}
}

func TestPasswordsRoundTrip(t *testing.T) {
	var p Passwords
	if err := p.Set("gw-01", "one"); err != nil {
		t.Fatal(err)
	}
	if err := p.Set("settle", "two"); err != nil {
		t.Fatal(err)
	}
	if err := p.Set("gw-01", "three"); err != nil { // replaced
		t.Fatal(err)
	}
	q, err := ParsePasswords("passwd", strings.NewReader("# comment\n\n"+string(p.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(q.Users(), ","); got != "gw-01,settle" {
		t.Errorf("users %s, want gw-01,settle", got)
	}
	for _, c := range []struct {
		user, pw string
		ok       bool
	}{{"gw-01", "three", true}, {"gw-01", "one", false}, {"settle", "two", true}, {"settle", "", false}, {"nobody", "two", false}} {
		if got := q.Verify(c.user, c.pw); got != c.ok {
			t.Errorf("Verify(%s, %q) = %v, want %v", c.user, c.pw, got, c.ok)
		}
	}
	if !strings.HasPrefix(string(p.Bytes()), "gw-01:$7$101$") {
		t.Errorf("entry %q: want gw-01:$7$101$...", p.Bytes())
	}
	if err := p.Set("bad:name", "x"); err == nil {
		t.Error("user name with ':' accepted")
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, pw, acl, want string
	}{
		{name: "no colon", pw: "alice\n", want: "passwd:1: want user:"},
		{name: "bad type", pw: "# c\nalice:$5$abc$def\n", want: "passwd:2: user alice: hash"},
		{name: "iterations", pw: "alice:$7$x$AAAAAAAAAAAAAAAA$AAAA\n", want: "passwd:1: user alice: iterations \"x\""},
		{name: "short salt", pw: "alice:$7$101$AAAA$AAAA\n", want: "salt \"AAAA\": want 12 bytes"},
		{name: "twice", pw: "a:$6$AAAAAAAAAAAAAAAA$" + strings.Repeat("A", 86) + "==\na:$6$AAAAAAAAAAAAAAAA$" + strings.Repeat("A", 86) + "==\n", want: "passwd:2: user a listed twice"},
		{name: "keyword", acl: "user a\ntopik read x\n", want: "acl:2: unknown keyword \"topik\""},
		{name: "access", acl: "topic reed x/y\n", want: "acl:1: topic: access \"reed\""},
		{name: "filter", acl: "\n\npattern read a/#/b\n", want: "acl:3: pattern: topic \"a/#/b\""},
		{name: "user", acl: "user\n", want: "acl:1: user: want \"user NAME\""},
		{name: "spaces", acl: "topic read a b\n", want: "acl:1: topic: want"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.pw != "" {
				_, err = ParsePasswords("passwd", strings.NewReader(c.pw))
			} else {
				_, err = ParseACL("acl", strings.NewReader(c.acl))
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestACLDecisions(t *testing.T) {
	users := Users{
		Gateways:   []Gateway{{"gw-01", []string{"inv01", "inv02"}}, {"gw-02", []string{"inv03"}}},
		Settlement: []string{"settle"},
		Observers:  []string{"observer"},
	}
	text, err := users.ACLFile()
	if err != nil {
		t.Fatal(err)
	}
	text += "\nuser tester\ntopic readwrite lab/#\ntopic deny lab/secret/#\npattern write clients/%c/out\npattern read users/%u/in\n"
	a, err := ParseACL("acl", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	pub, sub, read := "pub", "sub", "read"
	for _, c := range []struct {
		op, user, client, topic string
		want                    bool
	}{
		{pub, "gw-01", "edge-gw-01", reading.Topic("inv01"), true},
		{pub, "gw-01", "edge-gw-01", reading.Topic("inv02"), true},
		{pub, "gw-01", "edge-gw-01", reading.Topic("inv03"), false},
		{pub, "gw-01", "edge-gw-01", reading.TopicPrefix + "+", false},
		{pub, "gw-01", "edge-gw-01", reading.StatusTopic("gw-01"), true},
		{pub, "gw-01", "edge-gw-01", reading.AlarmTopic("gw-01"), true},
		{pub, "gw-01", "edge-gw-01", reading.StatusTopic("gw-02"), false},
		{sub, "gw-01", "edge-gw-01", reading.TopicPrefix + "+", false},
		{pub, "gw-02", "x", reading.Topic("inv03"), true},
		{sub, "settle", "s1", "$share/settle/" + reading.TopicPrefix + "+", true},
		{sub, "settle", "s1", reading.Topic("inv01"), true},
		{sub, "settle", "s1", reading.TopicRoot + "#", true}, // Mosquitto accepts it; only readings are delivered
		{read, "settle", "s1", reading.Topic("inv01"), true},
		{read, "settle", "s1", reading.StatusTopic("gw-01"), false},
		{sub, "settle", "s1", "$share/settle/" + reading.StatusTopicPrefix + "+", false},
		{sub, "settle", "s1", "$share/settle", false},
		{pub, "settle", "s1", reading.Topic("inv01"), false},
		{sub, "observer", "o", "#", true},
		{sub, "observer", "o", "$SYS/broker/uptime", true},
		{read, "observer", "o", reading.StatusTopic("gw-02"), true},
		{pub, "observer", "o", reading.Topic("inv01"), false},
		{pub, "", "anon", reading.Topic("inv01"), false},
		{sub, "", "anon", "#", false},
		{pub, "stranger", "c", reading.Topic("inv01"), false},
		{read, "tester", "c", "lab/a", true},
		{read, "tester", "c", "lab/secret/x", false},
		{sub, "tester", "c", "lab/#", true},           // the deny covers only part of it
		{sub, "tester", "c", "lab/secret/+", false},   // the deny covers all of it
		{pub, "tester", "c1", "clients/c1/out", true}, // %c
		{pub, "tester", "c1", "clients/c2/out", false},
		{read, "tester", "c1", "users/tester/in", true}, // %u
		{read, "stranger", "c1", "users/tester/in", false},
		{read, "stranger", "c1", "users/stranger/in", true}, // patterns apply to every user
		{pub, "stranger", "c+", "clients/c+/out", false},
		{sub, "settle", "s1", reading.TopicPrefix + "#/x", false},
	} {
		var got bool
		switch c.op {
		case pub:
			got = a.CanPublish(c.user, c.client, c.topic)
		case sub:
			got = a.CanSubscribe(c.user, c.client, c.topic)
		default:
			got = a.CanRead(c.user, c.client, c.topic)
		}
		if got != c.want {
			t.Errorf("%s %s (client %s) %s: %v, want %v", c.op, c.user, c.client, c.topic, got, c.want)
		}
	}
}

func TestTopicMatching(t *testing.T) {
	for _, c := range []struct {
		filter, topic string
		want          bool
	}{
		{"a/+/c", "a/b/c", true}, {"a/#", "a", true}, {"a/#", "a/b/c", true}, {"#", "$SYS/x", false},
		{"+/x", "$SYS/x", false}, {"$SYS/#", "$SYS/x", true}, {"a/+", "a", false}, {"a/b", "a/b/c", false}, {"+", "", false},
	} {
		if got := matches(c.filter, c.topic); got != c.want {
			t.Errorf("matches(%q, %q) = %v, want %v", c.filter, c.topic, got, c.want)
		}
	}
	for _, c := range []struct {
		a, b string
		want bool
	}{{"a/+", "+/b", true}, {"a/#", "a", true}, {"a/+", "a", false}, {"a/b", "a/c", false}, {"#", "$SYS/#", false}, {"x/#", "+/y/z", true}} {
		if got := intersects(c.a, c.b); got != c.want {
			t.Errorf("intersects(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestUsersValidate(t *testing.T) {
	for _, u := range []Users{
		{Gateways: []Gateway{{"gw/1", []string{"a"}}}},
		{Gateways: []Gateway{{"gw", []string{"a#"}}}},
		{Gateways: []Gateway{{"gw", nil}}},
		{Gateways: []Gateway{{"gw", []string{"a"}}, {"gw2", []string{"a"}}}},
		{Settlement: []string{"x"}, Observers: []string{"x"}},
	} {
		if _, err := u.ACLFile(); err == nil {
			t.Errorf("%+v accepted", u)
		}
	}
	if g, err := ParseGateway("gw-01=inv01,inv02"); err != nil || g.Name != "gw-01" || len(g.Devices) != 2 {
		t.Errorf("ParseGateway: %+v, %v", g, err)
	}
	if _, err := ParseGateway("gw-01"); err == nil {
		t.Error("ParseGateway without devices accepted")
	}
}

// FuzzParseACL: any input parses or fails with an error, and decisions on
// what parsed never panic.
func FuzzParseACL(f *testing.F) {
	f.Add("user a\ntopic read a/#\npattern write c/%c/%u\ntopic deny a/b\n", "a", "c1", "a/b")
	f.Add("topic #\n", "", "x", "$share/g/+")
	f.Fuzz(func(t *testing.T, text, user, client, topic string) {
		a, err := ParseACL("acl", strings.NewReader(text))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "acl") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		a.CanPublish(user, client, topic)
		a.CanSubscribe(user, client, topic)
		if a.CanRead(user, client, topic) && !validTopic(topic) {
			t.Fatalf("read granted on invalid topic %q", topic)
		}
	})
}

// FuzzParsePasswords: any input parses or fails cleanly; what parsed
// writes back to an equivalent file.
func FuzzParsePasswords(f *testing.F) {
	f.Add("alice:$7$101$xWXRoNklYOKCzQyM$8cnxNBScnTvHOjyXytqwWEnVCunWGhak0nXqDgG1UkBS4w0ueQ+93EYg0Zy7rBiKJ3PMbNj8UcQneFDkxuzL5g==\n", "secret")
	f.Add("# x\nb:$6$AAAAAAAAAAAAAAAA$"+strings.Repeat("A", 86)+"==\n", "")
	f.Fuzz(func(t *testing.T, text, pw string) {
		p, err := ParsePasswords("passwd", strings.NewReader(text))
		if err != nil {
			return
		}
		q, err := ParsePasswords("again", strings.NewReader(string(p.Bytes())))
		if err != nil {
			t.Fatalf("written file does not parse: %v", err)
		}
		for _, u := range p.Users() {
			if p.Verify(u, pw) != q.Verify(u, pw) {
				t.Fatalf("user %s: verification differs after a round trip", u)
			}
		}
	})
}
