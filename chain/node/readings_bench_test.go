package node

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
)

// Reading throughput: signed meter readings committed per second through one
// validator, sent over RPC by the settlement account as settlement sends
// them (tx.MaxReadingsPerMsg readings of distinct devices per transaction,
// one message per transaction). BenchmarkReadingsVerify is the baseline:
// the same readings batch-verified in process, on one goroutine, once.
// Every reading costs the chain at least two verifications (CheckTx and
// FinalizeBlock), so the ratio is bounded by about a half.

const (
	benchDevices = 600 // a multiple of tx.MaxReadingsPerMsg
	benchRounds  = 20  // readings per device
)

type benchDevice struct {
	id   string
	priv ed25519.PrivateKey
}

func benchDeviceKeys() []benchDevice {
	out := make([]benchDevice, benchDevices)
	for i := range out {
		seed := sha256.Sum256(fmt.Appendf(nil, "bench-device-%d", i))
		out[i] = benchDevice{id: fmt.Sprintf("bench-inv-%04d", i), priv: ed25519.NewKeyFromSeed(seed[:])}
	}
	return out
}

// benchReadings signs benchRounds readings of every device: round r is
// seq r+1, value 1000·(r+1) Wh, taken r seconds after start.
func benchReadings(b *testing.B, devs []benchDevice, start time.Time) [][]tx.HexBytes {
	b.Helper()
	var batches [][]tx.HexBytes
	for r := range benchRounds {
		for lo := 0; lo < len(devs); lo += tx.MaxReadingsPerMsg {
			var batch []tx.HexBytes
			for _, d := range devs[lo:min(lo+tx.MaxReadingsPerMsg, len(devs))] {
				s, err := reading.Reading{
					DeviceID: d.id, KeyEpoch: 1, Seq: uint64(r + 1), Kind: reading.KindEnergyWh,
					TimeMs: start.Add(time.Duration(r) * time.Second).UnixMilli(), Value: 1000 * uint64(r+1),
				}.Sign(d.priv)
				if err != nil {
					b.Fatal(err)
				}
				w, err := s.Encode()
				if err != nil {
					b.Fatal(err)
				}
				batch = append(batch, w)
			}
			batches = append(batches, batch)
		}
	}
	return batches
}

// BenchmarkReadings: committed signed readings per second, every reading
// accepted (a transaction failing in its block fails the run).
func BenchmarkReadings(b *testing.B) {
	devs := benchDeviceKeys()
	for range b.N {
		b.StopTimer()
		n, kr := benchNode(b, nil, nil)
		installer, settlement := benchKey(b, kr, "installer"), benchKey(b, kr, "settlement")
		// Register the devices: one transaction of 50 registrations each.
		var regs [][]byte
		for lo := 0; lo < len(devs); lo += 50 {
			var msgs []tx.Msg
			for _, d := range devs[lo:min(lo+50, len(devs))] {
				msgs = append(msgs, &tx.MsgDeviceRegister{
					ID: d.id, Kind: tx.KindSolarInverter, Owner: installer.Address,
					PubKey: tx.PubKey(d.priv.Public().(ed25519.PublicKey)),
				})
			}
			raw, err := tx.Build(installer.Private, "citychain-bench", uint64(len(regs)), "", msgs...)
			if err != nil {
				b.Fatal(err)
			}
			regs = append(regs, raw)
		}
		drive(b, n, [][][]byte{regs})

		var txs [][]byte
		for i, batch := range benchReadings(b, devs, time.Now().Add(-time.Minute)) {
			raw, err := tx.Build(settlement.Private, "citychain-bench", uint64(i), "", &tx.MsgSubmitReadings{Readings: batch})
			if err != nil {
				b.Fatal(err)
			}
			txs = append(txs, raw)
		}
		b.StartTimer()
		rate := drive(b, n, [][][]byte{txs})
		b.ReportMetric(rate*tx.MaxReadingsPerMsg, "readings/s")
		b.ReportMetric(float64(len(txs[0])), "bytes/tx")
	}
}

// BenchmarkReadingsVerify: the baseline, the same readings batch-verified
// once in process (CometBFT's batch verifier, tx.MaxReadingsPerMsg a batch).
func BenchmarkReadingsVerify(b *testing.B) {
	devs := benchDeviceKeys()
	batches := benchReadings(b, devs, time.Now())
	pubs := make(map[string]cmted25519.PubKey, len(devs)) // looked up by id only
	for _, d := range devs {
		pubs[d.id] = cmted25519.PubKey(d.priv.Public().(ed25519.PublicKey))
	}
	b.ResetTimer()
	total := 0
	for range b.N {
		for _, batch := range batches {
			bv := cmted25519.NewBatchVerifier()
			for _, w := range batch {
				s, err := reading.Decode(w)
				if err != nil {
					b.Fatal(err)
				}
				msg, err := s.SigningBytes()
				if err != nil {
					b.Fatal(err)
				}
				if err := bv.Add(pubs[s.DeviceID], msg, s.Signature[:]); err != nil {
					b.Fatal(err)
				}
			}
			if ok, _ := bv.Verify(); !ok {
				b.Fatal("batch did not verify")
			}
			total += len(batch)
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "readings/s")
}

func benchKey(b *testing.B, kr *keyring.Keyring, name string) *keyring.Key {
	b.Helper()
	k, err := kr.Get(name)
	if err != nil {
		b.Fatal(err)
	}
	return k
}
