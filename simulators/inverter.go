package simulators

import (
	"fmt"
	"math/bits"
)

// SunSpec register map served by a solar inverter (0-based addresses).
const (
	sunspecBase  = 40000 // "SunS"
	model1Addr   = 40002 // common model: ID=1, L=66
	model1Len    = 66
	model103Addr = model1Addr + 2 + model1Len // 40070: inverter model: ID=103, L=50
	model103Len  = 50
	endAddr      = model103Addr + 2 + model103Len // 40122: 0xFFFF, 0
	sunspecLen   = endAddr + 2 - sunspecBase      // 124 registers

	addrDA = model1Addr + 2 + 64 // 40068: model 1 DA, writable
	addrWH = model103Addr + 24   // 40094: WH acc32
)

// SunSpec "not implemented" values.
const (
	naUint16   = 0xFFFF
	naInt16    = 0x8000
	naSunssf   = 0x8000
	naEnum16   = 0xFFFF
	naBitfield = 0xFFFF // each register of a bitfield32
)

// Model 103 operating states (St).
const (
	stOff      = 1
	stSleeping = 2
	stMPPT     = 4
)

// Offsets of model 103 points from the model's ID register.
const (
	p103A       = 2
	p103AphA    = 3
	p103AphB    = 4
	p103AphC    = 5
	p103ASF     = 6
	p103PPVphAB = 7
	p103PPVphBC = 8
	p103PPVphCA = 9
	p103PhVphA  = 10
	p103PhVphB  = 11
	p103PhVphC  = 12
	p103VSF     = 13
	p103W       = 14
	p103WSF     = 15
	p103Hz      = 16
	p103HzSF    = 17
	p103VA      = 18
	p103VASF    = 19
	p103VAr     = 20
	p103VArSF   = 21
	p103PF      = 22
	p103PFSF    = 23
	p103WH      = 24 // acc32, 2 registers
	p103WHSF    = 26
	p103DCA     = 27
	p103DCASF   = 28
	p103DCV     = 29
	p103DCVSF   = 30
	p103DCW     = 31
	p103DCWSF   = 32
	p103TmpCab  = 33
	p103TmpSnk  = 34
	p103TmpTrns = 35
	p103TmpOt   = 36
	p103TmpSF   = 37
	p103St      = 38
	p103StVnd   = 39
	p103Evt1    = 40 // bitfield32
	p103Evt2    = 42
	p103EvtVnd1 = 44
	p103EvtVnd4 = 50 // last vendor event bitfield32, ends at offset 51
)

// Fixed scale factors.
const (
	sfV   = -1 // 0.1 V
	sfHz  = -2 // 0.01 Hz
	sfPF  = -1 // 0.1 %
	sfWH  = 0  // 1 Wh
	sfDCV = -1
	sfTmp = -1 // 0.1 °C

	nominalPhaseDeciV = 2200 // 220.0 V phase, 380 V line (Korean low-voltage grid)
	nominalDCDeciV    = 6500
	efficiencyPm      = 975 // DC to AC, ‰
)

// inverterScales holds the scale factors chosen from the rating so that
// every value fits its register.
type inverterScales struct {
	w   int // W, VA, VAr, DCW (int16)
	a   int // A (uint16)
	dcA int // DCA (uint16)
}

func newInverterScales(ratedW int64) inverterScales {
	maxVA := ratedW * 1000 / 990                                       // PF ≥ 0.99
	maxA := maxVA * 10 * 100 / (nominalPhaseDeciV * 97 / 100)          // total, centiamps, at 97 % voltage
	maxDCA := ratedW * 1000 / efficiencyPm * 10 * 100 / nominalDCDeciV // centiamps
	return inverterScales{
		w:   fitScale(maxVA, 0, 32767),
		a:   fitScale(maxA, -2, 65534),
		dcA: fitScale(maxDCA, -2, 65534),
	}
}

// fitScale returns the smallest scale factor ≥ from such that v (expressed
// in units of 10^from) fits in limit.
func fitScale(v int64, from int, limit int64) int {
	sf := from
	for v > limit {
		v /= 10
		sf++
	}
	return sf
}

// scaled converts v, in units of 10^from, to units of 10^to (to ≥ from).
func scaled(v int64, from, to int) int64 {
	for ; from < to; from++ {
		v /= 10
	}
	return v
}

func sfReg(sf int) uint16 { return uint16(int16(sf)) }

// sunspecRegisters builds the whole map from 40000 for reading r.
func (d *Device) sunspecRegisters(r Reading) []uint16 {
	regs := make([]uint16, sunspecLen)
	regs[0], regs[1] = 0x5375, 0x6E53 // "SunS"

	m1 := regs[model1Addr-sunspecBase:]
	m1[0], m1[1] = 1, model1Len
	putString(m1[2:18], "CityChain Simulators")                            // Mn
	putString(m1[18:34], fmt.Sprintf("SIM-INV-3P-%dW", d.cfg.RatedPowerW)) // Md
	putString(m1[34:42], "sim")                                            // Opt
	putString(m1[42:50], fmt.Sprintf("%d.0.0", d.fw))                      // Vr
	putString(m1[50:66], d.cfg.Serial)                                     // SN
	m1[66] = d.da                                                          // DA
	m1[67] = naUint16                                                      // Pad

	m := regs[model103Addr-sunspecBase:]
	m[0], m[1] = 103, model103Len
	w := r.PowerW
	producing := w > 0

	// Grid: voltage and frequency jitter a little, per simulated minute.
	g := newRNG(uint64(d.cfg.Seed), saltGrid, uint64(r.Time.Unix()/60))
	var phV [3]int64
	for i := range phV {
		phV[i] = nominalPhaseDeciV - 15 + g.intn(31) // ±1.5 V
	}
	hz := 6000 - 3 + g.intn(7) // 60.00 ± 0.03 Hz
	lineV := func(a, b int64) int64 { return (a + b) / 2 * 1732 / 1000 }

	var va, vAr, pf, dcW, dcV, dcA int64
	var phA [3]int64 // centiamps
	if producing {
		pf = 990 + g.intn(11) // 99.0 .. 100.0 %
		va = w * 1000 / pf
		vAr = int64(isqrt(uint64(va*va - w*w)))
		for i := range phA {
			phA[i] = va * 1000 / 3 / phV[i] // VA/3 per phase, in 0.01 A
		}
		dcW = w * 1000 / efficiencyPm
		dcV = nominalDCDeciV - 200 + g.intn(400)
		dcA = dcW * 1000 / dcV // 0.01 A
	}
	totalA := va * 1000 * 3 / (phV[0] + phV[1] + phV[2]) // VA / mean phase voltage

	sf := d.sf
	m[p103A] = uint16(scaled(totalA, -2, sf.a))
	m[p103AphA] = uint16(scaled(phA[0], -2, sf.a))
	m[p103AphB] = uint16(scaled(phA[1], -2, sf.a))
	m[p103AphC] = uint16(scaled(phA[2], -2, sf.a))
	m[p103ASF] = sfReg(sf.a)
	m[p103PPVphAB] = uint16(lineV(phV[0], phV[1]))
	m[p103PPVphBC] = uint16(lineV(phV[1], phV[2]))
	m[p103PPVphCA] = uint16(lineV(phV[2], phV[0]))
	m[p103PhVphA] = uint16(phV[0])
	m[p103PhVphB] = uint16(phV[1])
	m[p103PhVphC] = uint16(phV[2])
	m[p103VSF] = sfReg(sfV)
	m[p103W] = uint16(int16(scaled(w, 0, sf.w)))
	m[p103WSF] = sfReg(sf.w)
	m[p103Hz] = uint16(hz)
	m[p103HzSF] = sfReg(sfHz)
	m[p103VA] = uint16(int16(scaled(va, 0, sf.w)))
	m[p103VASF] = sfReg(sf.w)
	m[p103VAr] = uint16(int16(scaled(vAr, 0, sf.w)))
	m[p103VArSF] = sfReg(sf.w)
	if producing {
		m[p103PF] = uint16(int16(pf))
	} else {
		m[p103PF] = naInt16
	}
	m[p103PFSF] = sfReg(sfPF)
	wh := uint32(r.Counter) // acc32 wraps at 2^32
	m[p103WH], m[p103WH+1] = uint16(wh>>16), uint16(wh)
	m[p103WHSF] = sfReg(sfWH)
	m[p103DCA] = uint16(scaled(dcA, -2, sf.dcA))
	m[p103DCASF] = sfReg(sf.dcA)
	m[p103DCV] = uint16(dcV)
	m[p103DCVSF] = sfReg(sfDCV)
	m[p103DCW] = uint16(int16(scaled(dcW, 0, sf.w)))
	m[p103DCWSF] = sfReg(sf.w)
	load := w * 1000 / d.cfg.RatedPowerW // ‰ of rating
	m[p103TmpCab] = uint16(int16(250 + load*200/1000))
	m[p103TmpSnk] = uint16(int16(250 + load*350/1000))
	m[p103TmpTrns] = naInt16
	m[p103TmpOt] = naInt16
	m[p103TmpSF] = sfReg(sfTmp)
	if producing {
		m[p103St] = stMPPT
	} else {
		m[p103St] = stSleeping
	}
	m[p103StVnd] = naEnum16
	// Evt1, Evt2: implemented, no events. Vendor events: not implemented.
	for o := p103EvtVnd1; o <= p103EvtVnd4+1; o++ {
		m[o] = naBitfield
	}

	end := regs[endAddr-sunspecBase:]
	end[0], end[1] = 0xFFFF, 0
	return regs
}

func isqrt(x uint64) uint64 {
	if x == 0 {
		return 0
	}
	r := uint64(1) << ((bits.Len64(x) + 1) / 2)
	for {
		s := (r + x/r) / 2
		if s >= r {
			return r
		}
		r = s
	}
}
