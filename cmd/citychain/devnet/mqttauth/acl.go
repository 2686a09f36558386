package mqttauth

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// Access is what an ACL line grants.
type Access uint8

const (
	// Read lets a client receive messages on matching topics.
	Read Access = 1 << iota
	// Write lets a client publish on matching topics.
	Write
	// Deny refuses both, before any grant is considered.
	Deny Access = 0
)

func (a Access) String() string {
	switch a {
	case Read:
		return "read"
	case Write:
		return "write"
	case Read | Write:
		return "readwrite"
	default:
		return "deny"
	}
}

type rule struct {
	access Access
	topic  string
}

// ACL is a Mosquitto acl_file:
//
//	# comment
//	topic [read|write|readwrite|deny] TOPIC   anonymous clients (before any user line)
//	user NAME                                 the following topic lines are NAME's
//	topic [read|write|readwrite|deny] TOPIC
//	pattern [read|write|readwrite|deny] TOPIC every client; %u is its user name, %c its client id
//
// TOPIC may hold the wildcards + and #; the access defaults to readwrite.
// Decisions follow Mosquitto 2.0: deny lines win over grants; a client with
// a user name but no user section gets only the patterns; no matching line
// denies.
type ACL struct {
	anon     []rule
	users    map[string][]rule
	patterns []rule
}

// ParseACL reads an ACL file; name appears in errors.
func ParseACL(name string, r io.Reader) (*ACL, error) {
	a := &ACL{users: map[string][]rule{}}
	var user *string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t\r\n\v\f")
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: "+format, append([]any{name, n}, args...)...)
		}
		switch kw := fields[0]; kw {
		case "user":
			if len(fields) != 2 {
				return nil, bad("user: want \"user NAME\", got %q", clip(line))
			}
			if err := checkName(fields[1]); err != nil {
				return nil, bad("user %q: %v", clip(fields[1]), err)
			}
			u := fields[1]
			user = &u
		case "topic", "pattern":
			access, topic := Read|Write, ""
			switch len(fields) {
			case 2:
				topic = fields[1]
			case 3:
				var ok bool
				if access, ok = parseAccess(fields[1]); !ok {
					return nil, bad("%s: access %q: want read, write, readwrite or deny", kw, clip(fields[1]))
				}
				topic = fields[2]
			default:
				return nil, bad("%s: want \"%s [read|write|readwrite|deny] TOPIC\" (no spaces in TOPIC), got %q", kw, kw, clip(line))
			}
			if !validFilter(topic) {
				return nil, bad("%s: topic %q: want a topic filter ('+' and '#' alone in their level, '#' last)", kw, clip(topic))
			}
			r := rule{access: access, topic: topic}
			switch {
			case kw == "pattern":
				a.patterns = addRule(a.patterns, r)
			case user == nil:
				a.anon = addRule(a.anon, r)
			default:
				a.users[*user] = addRule(a.users[*user], r)
			}
		default:
			return nil, bad("unknown keyword %q: want topic, pattern or user", clip(kw))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return a, nil
}

// LoadACL reads the ACL file at path.
func LoadACL(path string) (*ACL, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("acl file: %w", err)
	}
	return ParseACL(path, bytes.NewReader(b))
}

func parseAccess(s string) (Access, bool) {
	switch s {
	case "read":
		return Read, true
	case "write":
		return Write, true
	case "readwrite":
		return Read | Write, true
	case "deny":
		return Deny, true
	}
	return 0, false
}

// addRule appends r, deny rules first (as Mosquitto orders them).
func addRule(rs []rule, r rule) []rule {
	if r.access == Deny {
		return append([]rule{r}, rs...)
	}
	return append(rs, r)
}

// CanPublish reports whether user (empty: anonymous) connected as clientID
// may publish on topic.
func (a *ACL) CanPublish(user, clientID, topic string) bool {
	return validTopic(topic) && a.check(user, clientID, Write, topic, false)
}

// CanRead reports whether a message on topic may be delivered to user.
func (a *ACL) CanRead(user, clientID, topic string) bool {
	return validTopic(topic) && a.check(user, clientID, Read, topic, false)
}

// CanSubscribe reports whether user may subscribe to filter: whether some
// topic it matches may be read. A shared subscription
// "$share/<group>/<filter>" is judged by its filter. Mosquitto 2.0 accepts
// every subscription and checks read access per delivered message (CanRead);
// the embedded broker does both, so a subscription refused here could never
// have delivered anything.
func (a *ACL) CanSubscribe(user, clientID, filter string) bool {
	f, _ := splitShared(filter)
	return validFilter(f) && a.check(user, clientID, Read, f, true)
}

// check walks user's rules, then the patterns, in Mosquitto's order: a
// matching deny refuses, the first matching grant with the access allows.
// With sub, topic is a filter: a grant matches when it shares a topic with
// it, a deny only when it covers all of it (delivery checks the rest).
func (a *ACL) check(user, clientID string, want Access, topic string, sub bool) bool {
	match := func(rule string) (grant, deny bool) {
		if sub {
			return intersects(rule, topic), covers(rule, topic)
		}
		m := matches(rule, topic)
		return m, m
	}
	rules := a.anon
	if user != "" {
		rules = a.users[user]
	}
	for _, r := range rules {
		grant, deny := match(r.topic)
		if r.access == Deny && deny {
			return false
		}
		if r.access&want != 0 && grant {
			return true
		}
	}
	if len(a.patterns) == 0 {
		return false
	}
	// Names with wildcards could widen a pattern: Mosquitto denies them.
	if strings.ContainsAny(user, "+#") || strings.ContainsAny(clientID, "+#") || clientID == "" {
		return false
	}
	for _, p := range a.patterns {
		if strings.Contains(p.topic, "%u") && user == "" {
			continue
		}
		f := strings.ReplaceAll(p.topic, "%c", clientID)
		if user != "" {
			f = strings.ReplaceAll(f, "%u", user)
		}
		grant, deny := match(f)
		if p.access == Deny && deny {
			return false
		}
		if p.access&want != 0 && grant {
			return true
		}
	}
	return false
}
