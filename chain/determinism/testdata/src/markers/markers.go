// Package markers checks //determinism:ok: a marker with a reason accepts
// the finding on its line (or, alone on its line, on the next); a bare
// marker, a misspelt one and one that suppresses nothing are errors.
package markers

import "time"

func accepted(m map[string]int, t time.Time) int {
	n := 0
	//determinism:ok the sum of the values does not depend on their order
	for _, v := range m {
		n += v
	}
	_ = t.Local() //determinism:ok only formats a log line, never stored
	return n
}

func bare(t time.Time) {
	// want +1 `//determinism:ok needs a reason`
	//determinism:ok
	_ = time.Now() // want `time.Now reads the wall clock`
	_ = time.Now() /* want `time.Now reads the wall clock` `needs a reason` */ //determinism:ok
}

func unused() {
	// want +1 `//determinism:ok suppresses nothing on its line or the next; remove it`
	//determinism:ok there is nothing here to excuse
	_ = 1
	// A trailing marker covers its own line only, not the next one.
	_ = 2          /* want `suppresses nothing` */ //determinism:ok trailing
	_ = time.Now() // want `time.Now reads the wall clock`
}

func misspelt() {
	// want +1 `misspelt marker: write //determinism:ok <reason>, with no space after //`
	// determinism:ok a space after the slashes does not count
	_ = time.Now() // want `time.Now reads the wall clock`
	//determinism:okay is another directive, ignored
	_ = 3
}
