package certificates_test

import (
	"fmt"
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

// BenchmarkIssueAnchor measures a block of one certificates/issue
// transaction anchoring a batch of 1 and of 10,000 certificates (the
// batch's Merkle root computed and each transaction signed beforehand):
// the transaction carries the root only, so the two should cost the same.
// make bench prints the ratio.
func BenchmarkIssueAnchor(b *testing.B) {
	for _, count := range []int{1, 10_000} {
		b.Run(fmt.Sprintf("count=%d", count), func(b *testing.B) {
			h := setup(b)
			// The batch's root is computed once: the chain never sees the
			// leaves, and building 10,000 of them per iteration would only
			// load the garbage collector inside the timed blocks.
			batch := newBatch(fmt.Sprintf("bench-%d", count), count)
			var size int
			for b.Loop() {
				b.StopTimer()
				raw := h.Sign(court, &tx.MsgCertificateIssue{Kind: "family_relation", Key: courtKey1, Root: batch.root, Count: uint32(count)})
				size = len(raw)
				b.StartTimer()
				res := h.Deliver([][]byte{raw})
				if r := res.TxResults[0]; r.Code != 0 {
					b.Fatalf("issue: %s/%d %s", r.Codespace, r.Code, r.Log)
				}
			}
			b.ReportMetric(float64(size), "tx_bytes")
		})
	}
}
