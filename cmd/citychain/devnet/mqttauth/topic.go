package mqttauth

import "strings"

// matches reports whether topic (a topic name) matches filter, as
// mosquitto_topic_matches_sub does: '+' is one level, a trailing '#' any
// number of levels including none, and a topic beginning with '$' is matched
// only by a filter beginning with '$'.
func matches(filter, topic string) bool {
	if (strings.HasPrefix(filter, "$") != strings.HasPrefix(topic, "$")) || topic == "" {
		return false
	}
	f, t := strings.Split(filter, "/"), strings.Split(topic, "/")
	for i, lvl := range f {
		if lvl == "#" {
			return i == len(f)-1
		}
		if i >= len(t) {
			return false
		}
		if lvl != "+" && lvl != t[i] {
			return false
		}
	}
	return len(f) == len(t)
}

// intersects reports whether some topic name matches both filters.
func intersects(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	// '$' topics: a filter starting with a wildcard never matches them.
	if strings.HasPrefix(a, "$") && (b[0] == '+' || b[0] == '#') || strings.HasPrefix(b, "$") && (a[0] == '+' || a[0] == '#') {
		return false
	}
	x, y := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; ; i++ {
		switch {
		case i < len(x) && x[i] == "#", i < len(y) && y[i] == "#":
			return true
		case i == len(x) || i == len(y):
			return len(x) == len(y)
		case x[i] != "+" && y[i] != "+" && x[i] != y[i]:
			return false
		}
	}
}

// validFilter reports whether s is a valid topic filter: not empty, '+' and
// '#' alone in their level, '#' only last.
func validFilter(s string) bool {
	if s == "" || len(s) > 65535 || strings.ContainsRune(s, 0) {
		return false
	}
	lv := strings.Split(s, "/")
	for i, l := range lv {
		if strings.ContainsAny(l, "+#") && len(l) != 1 {
			return false
		}
		if l == "#" && i != len(lv)-1 {
			return false
		}
	}
	return true
}

// validTopic reports whether s is a valid topic name (no wildcards).
func validTopic(s string) bool {
	return validFilter(s) && !strings.ContainsAny(s, "+#")
}

// splitShared returns the topic filter of a shared subscription
// "$share/<group>/<filter>", or s itself.
func splitShared(s string) (filter string, shared bool) {
	rest, ok := strings.CutPrefix(s, "$share/")
	if !ok {
		return s, false
	}
	_, f, ok := strings.Cut(rest, "/")
	if !ok {
		return "", true
	}
	return f, true
}

// covers reports whether every topic matching filter f also matches rule.
func covers(rule, f string) bool {
	// A rule beginning with a wildcard matches no '$' topic.
	if strings.HasPrefix(f, "$") && !strings.HasPrefix(rule, "$") {
		return false
	}
	r, x := strings.Split(rule, "/"), strings.Split(f, "/")
	for i := 0; ; i++ {
		switch {
		case i < len(r) && r[i] == "#":
			return true
		case i == len(x) || i == len(r):
			return len(x) == len(r)
		case x[i] == "#":
			return false
		case r[i] == "+":
		case x[i] == "+" || x[i] != r[i]:
			return false
		}
	}
}
