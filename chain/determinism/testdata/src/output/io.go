// Package output plants I/O violations and the logging that is allowed.
package output

import (
	"fmt"
	"io/ioutil" // want `import of io/ioutil: state transitions do no I/O`
	"log"       // want `import of log: the global logger is I/O; use the injected \*slog.Logger`
	"log/slog"
	"net"      // want `import of net: state transitions do no I/O`
	"net/http" // want `import of net/http: state transitions do no I/O`
	"os"       // want `import of os: state transitions do no I/O`
	"os/exec"  // want `import of os/exec: state transitions do no I/O`
	"syscall"  // want `import of syscall: state transitions do no I/O`
)

var (
	_ = ioutil.Discard
	_ = net.IPv4len
	_ = http.StatusOK
	_ = exec.ErrNotFound
	_ = syscall.EINVAL
	_ = os.Getenv
)

type keeper struct {
	logger *slog.Logger
}

func (k *keeper) handle(height int64) string {
	fmt.Println("height", height)     // want `fmt.Println writes to standard output`
	fmt.Printf("height %d\n", height) // want `fmt.Printf writes to standard output`
	println("height", height)         // want `println writes to standard error`
	log.Printf("height %d", height)
	slog.Info("block", "height", height)                         // want `log/slog.Info logs through the global logger`
	slog.Default().Info("block")                                 // want `log/slog.Default is the global logger`
	k.logger.Info("block", "height", height)                     // an injected logger: fine
	return fmt.Sprintf("height %d", height) + fmt.Sprint(height) // formatting without output: fine
}
