// Package goroutines plants goroutine and channel violations.
package goroutines

func work() {}

func spawn() int {
	go work()            // want `go statement: goroutines are not allowed`
	ch := make(chan int) // want `channel \(chan int\)`
	go func() {          // want `go statement`
		ch <- 1 // want `channel`
	}()
	select { // want `select statement`
	case v := <-ch: // want `channel`
		return v
	}
}
