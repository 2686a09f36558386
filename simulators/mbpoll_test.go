package simulators

import (
	"context"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMbpoll checks the inverter with an independent Modbus client, mbpoll
// (Debian package mbpoll). Without it the test skips, unless CI is set.
func TestMbpoll(t *testing.T) {
	bin, err := exec.LookPath("mbpoll")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mbpoll not installed (CI is set): %v", err)
		}
		t.Skip("mbpoll not installed; apt-get install mbpoll")
	}
	f, _ := startFleet(t, Config{Devices: []DeviceConfig{inverterConfig("inv-1", 1)}})
	dev, _ := f.Device("inv-1")
	_, port, err := net.SplitHostPort(dev.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-m", "tcp", "-a", "1", "-r", "40001", "-c", "2",
		"-t", "4:hex", "-1", "-p", port, "127.0.0.1").CombinedOutput()
	if err != nil {
		t.Fatalf("mbpoll: %v\n%s", err, out)
	}
	got := regexp.MustCompile(`\[(\d+)\]:\s+(0x[0-9A-Fa-f]{4})`).FindAllStringSubmatch(string(out), -1)
	if len(got) != 2 || got[0][1] != "40001" || !strings.EqualFold(got[0][2], "0x5375") ||
		got[1][1] != "40002" || !strings.EqualFold(got[1][2], "0x6E53") {
		t.Fatalf("mbpoll output: got\n%s\nwant [40001]: 0x5375 and [40002]: 0x6E53", out)
	}
}
