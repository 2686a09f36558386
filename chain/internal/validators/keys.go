package validators

// Key prefixes inside the module's key space. Frozen: never reuse a byte.
const (
	prefixSet    byte = 0x01 // 0x01 -> Set (JSON): every validator, sorted by public key
	prefixParams byte = 0x02 // 0x02 -> Params (JSON)
)

var (
	setKey    = []byte{prefixSet}
	paramsKey = []byte{prefixParams}
)
