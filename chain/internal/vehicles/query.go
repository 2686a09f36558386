package vehicles

import (
	"encoding/binary"
	"encoding/json"
	"strconv"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Query page sizes.
const (
	DefaultPageLimit     = 50
	MaxPageLimit         = 100
	DefaultOdometerLimit = 500
	MaxOdometerLimit     = 1000
)

// Report is a vehicle's history: the record (owners, flags, accidents,
// inspections, battery, subsidy, recycling) and its odometer series,
// oldest first, up to MaxOdometerLimit points: OdometerNext, when set, is
// the From of the odometer page that continues it (a report's cost does
// not grow with the vehicle's age).
type Report struct {
	Vehicle      *Vehicle           `json:"vehicle"`
	Odometer     []tx.OdometerPoint `json:"odometer"`
	OdometerNext *uint64            `json:"odometer_next,omitempty"`
	Programme    *Programme         `json:"programme,omitempty"`
}

// OdometerRequest pages through a vehicle's odometer series from interval
// From (declared in chain/tx, which clients import).
type OdometerRequest = tx.OdometerRequest

// OdometerPage is one page of a vehicle's odometer series; Next, when set,
// is the From of the next page (declared in chain/tx).
type OdometerPage = tx.OdometerPage

// ListRequest lists vehicles in VIN order after After, all of them or
// those of Owner (declared in chain/tx).
type ListRequest = tx.VehicleListRequest

// Summary is one line of a vehicle list.
type Summary struct {
	VIN       string     `json:"vin"`
	Model     string     `json:"model"`
	Year      uint32     `json:"year"`
	Owner     tx.Address `json:"owner"`
	Device    string     `json:"odometer_device"`
	Status    string     `json:"status"`
	Flagged   bool       `json:"flagged"`
	OdometerM uint64     `json:"odometer_m"`
	SOHBP     uint64     `json:"soh_bp,omitempty"`
	Subsidy   string     `json:"subsidy,omitempty"` // the subsidy status, if any
}

// ListPage is a page of vehicles; Next, when set, is the After of the next
// page.
type ListPage struct {
	Vehicles []Summary `json:"vehicles"`
	Next     string    `json:"next,omitempty"`
}

// ProgrammesPage lists programmes in id order; Next, when set, is the
// data of the next page.
type ProgrammesPage struct {
	Programmes []Programme `json:"programmes"`
	Next       string      `json:"next,omitempty"`
}

// Stats are the module's counts and the escrow balances.
type Stats struct {
	Counters      Counters   `json:"counters"`
	EscrowAddress tx.Address `json:"escrow_address"`
	Escrow        []tx.Coin  `json:"escrow"`
}

func summaryOf(v *Vehicle) Summary {
	s := Summary{VIN: v.VIN, Model: v.Model, Year: v.Year, Owner: v.Owner, Device: v.Device, Status: v.Status,
		Flagged: v.Flagged()}
	if v.Odometer.Last != nil {
		s.OdometerM = v.Odometer.Last.ValueM
	}
	if n := len(v.BatteryHealth); n > 0 {
		s.SOHBP = v.BatteryHealth[n-1].SOHBP
	}
	if v.Subsidy != nil {
		s.Subsidy = v.Subsidy.Status
	}
	return s
}

// series reads the vehicle's odometer points from interval from, at most
// limit of them (0: all), as stored (the JSON of tx.OdometerPoint, not
// decoded again: a report of a long history is mostly this); next is the
// interval to continue from.
func series(kv store.KV, vin string, from, limit uint64) (pts []json.RawMessage, next *uint64) {
	pts = []json.RawMessage{}
	store.Each(kv, odometerKey(vin, from), store.PrefixEnd(odometerPrefix(vin)), func(key, v []byte) bool {
		if limit > 0 && uint64(len(pts)) == limit {
			n := binary.BigEndian.Uint64(key[len(key)-8:])
			next = &n
			return false
		}
		pts = append(pts, append(json.RawMessage(nil), v...)) // the iterator may reuse v
		return true
	})
	return pts, next
}

// reportJSON writes a Report from the stored JSON of its parts (written
// by putJSON, so already compact and valid).
func reportJSON(vehicle []byte, points []json.RawMessage, next *uint64, programme []byte) []byte {
	n := len(vehicle) + len(programme) + 64
	for _, p := range points {
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"vehicle":`...)
	b = append(b, vehicle...)
	b = append(b, `,"odometer":[`...)
	for i, p := range points {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, p...)
	}
	b = append(b, ']')
	if next != nil {
		b = append(b, `,"odometer_next":`...)
		b = strconv.AppendUint(b, *next, 10)
	}
	if programme != nil {
		b = append(b, `,"programme":`...)
		b = append(b, programme...)
	}
	return append(b, '}')
}

// Proposals are a vehicle's open transfers, at most one per dealer, in
// dealer address order: the ones its owner may accept (or cancel). Those
// past expires_at are closed by the next use.
type Proposals struct {
	VIN       string     `json:"vin"`
	Transfers []Transfer `json:"transfers"`
}

// pageAnswer is an OdometerPage as the query writes it, with the stored
// points copied through.
type pageAnswer struct {
	VIN    string            `json:"vin"`
	Points []json.RawMessage `json:"points"`
	Next   *uint64           `json:"next,omitempty"`
}

// Query implements module.Module. Paths (see README):
//
//	params                                         -> Params, provable
//	vehicle     data: VIN                          -> Vehicle, provable
//	report      data: VIN                          -> Report (odometer: the first MaxOdometerLimit points)
//	odometer    data: {"vin","from","limit"}       -> OdometerPage
//	list        data: {"owner","after","limit"}    -> ListPage
//	by_device   data: device id                    -> VIN (JSON string), provable
//	programme   data: programme id                 -> Programme, provable
//	programmes  data: "" or the id to list after   -> ProgrammesPage
//	citizen     data: address (hex)                -> CitizenSubsidy, provable
//	transfer    data: id (decimal)                 -> Transfer, provable
//	proposals   data: VIN                          -> Proposals: its open transfers
//	stats                                          -> Stats
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	full := func(key []byte) *module.QueryResult {
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}
	}
	vin := func() (string, error) {
		s := string(q.Data)
		if err := tx.ValidateVIN(s); err != nil {
			return "", module.ErrBadQuery.Wrapf("%v", err)
		}
		return s, nil
	}
	switch q.Path {
	case "params":
		return full(paramsKey), nil
	case "vehicle":
		v, err := vin()
		if err != nil {
			return nil, err
		}
		return full(vehicleKey(v)), nil
	case "report":
		id, err := vin()
		if err != nil {
			return nil, err
		}
		raw := kv.Get(vehicleKey(id))
		if raw == nil {
			return nil, module.ErrNotFound.Wrapf("vehicle %s is not registered", id)
		}
		var v struct {
			Subsidy *Subsidy `json:"subsidy"`
		}
		getJSONBytes(raw, &v)
		pts, next := series(kv, id, 0, MaxOdometerLimit)
		var prog []byte
		if v.Subsidy != nil {
			prog = kv.Get(programmeKey(v.Subsidy.Programme))
		}
		return &module.QueryResult{Value: reportJSON(raw, pts, next, prog)}, nil
	case "odometer":
		var req OdometerRequest
		if err := q.DecodeRequest(&req, "odometer"); err != nil {
			return nil, err
		}
		if err := tx.ValidateVIN(req.VIN); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		limit, err := module.PageLimit(req.Limit, DefaultOdometerLimit, MaxOdometerLimit)
		if err != nil {
			return nil, err
		}
		if !kv.Has(vehicleKey(req.VIN)) {
			return nil, module.ErrNotFound.Wrapf("vehicle %s is not registered", req.VIN)
		}
		page := pageAnswer{VIN: req.VIN}
		page.Points, page.Next = series(kv, req.VIN, req.From, limit)
		return module.JSON(page)
	case "list":
		var req ListRequest
		if len(q.Data) > 0 {
			if err := q.DecodeRequest(&req, "list"); err != nil {
				return nil, err
			}
		}
		limit, err := module.PageLimit(req.Limit, DefaultPageLimit, MaxPageLimit)
		if err != nil {
			return nil, err
		}
		page := ListPage{Vehicles: []Summary{}}
		add := func(v *Vehicle) bool {
			if uint64(len(page.Vehicles)) == limit {
				page.Next = page.Vehicles[len(page.Vehicles)-1].VIN
				return false
			}
			page.Vehicles = append(page.Vehicles, summaryOf(v))
			return true
		}
		if req.Owner != nil {
			pfx := ownerPrefix(*req.Owner)
			start := pfx
			if req.After != "" {
				start = append(ownerKey(*req.Owner, req.After), 0x00)
			}
			store.Each(kv, start, store.PrefixEnd(pfx), func(key, _ []byte) bool {
				return add(k.vehicle(kv, string(key[len(pfx):])))
			})
		} else {
			start := []byte{prefixVehicle}
			if req.After != "" {
				start = append(vehicleKey(req.After), 0x00)
			}
			store.Each(kv, start, store.PrefixEnd([]byte{prefixVehicle}), func(_, b []byte) bool {
				var v Vehicle
				getJSONBytes(b, &v)
				return add(&v)
			})
		}
		return module.JSON(page)
	case "by_device":
		if err := tx.ValidateDeviceID(string(q.Data)); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(deviceKey(string(q.Data))), nil
	case "programme":
		if err := tx.ValidateProgrammeID(string(q.Data)); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(programmeKey(string(q.Data))), nil
	case "programmes":
		start := []byte{prefixProgramme}
		if len(q.Data) > 0 {
			if err := tx.ValidateProgrammeID(string(q.Data)); err != nil {
				return nil, module.ErrBadQuery.Wrapf("after: %v", err)
			}
			start = append(programmeKey(string(q.Data)), 0x00)
		}
		page := ProgrammesPage{Programmes: []Programme{}}
		store.Each(kv, start, store.PrefixEnd([]byte{prefixProgramme}), func(_, b []byte) bool {
			if len(page.Programmes) == MaxPageLimit {
				page.Next = page.Programmes[len(page.Programmes)-1].ID
				return false
			}
			var p Programme
			getJSONBytes(b, &p)
			page.Programmes = append(page.Programmes, p)
			return true
		})
		return module.JSON(page)
	case "citizen":
		addr, err := tx.ParseAddress(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(citizenKey(addr)), nil
	case "transfer":
		n, err := strconv.ParseUint(string(q.Data), 10, 64)
		if err != nil || n == 0 {
			return nil, module.ErrBadQuery.Wrapf("transfer id %q: want a decimal number from 1", q.Data)
		}
		return full(transferKey(n)), nil
	case "proposals":
		id, err := vin()
		if err != nil {
			return nil, err
		}
		if !kv.Has(vehicleKey(id)) {
			return nil, module.ErrNotFound.Wrapf("vehicle %s is not registered", id)
		}
		out := Proposals{VIN: id, Transfers: []Transfer{}}
		for _, n := range proposals(kv, id) {
			out.Transfers = append(out.Transfers, *k.transfer(kv, n))
		}
		return module.JSON(out)
	case "stats":
		ctx := q.ReadContext()
		s := Stats{Counters: k.counters(kv), EscrowAddress: EscrowAddress, Escrow: []tx.Coin{}}
		for _, d := range []string{tx.DenomSCoin, tx.DenomKRW} {
			if b := k.bank.Balance(ctx, EscrowAddress, d); b > 0 {
				s.Escrow = append(s.Escrow, tx.Coin{Amount: b, Denom: d})
			}
		}
		return module.JSON(s)
	}
	return nil, module.ErrUnknownQuery.Wrapf("vehicles/%s", q.Path)
}
