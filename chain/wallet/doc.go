// Package wallet is the off-chain side of citychain's citizen card,
// eligibility credentials and civil certificates: the holder's encrypted
// wallet (keys, slots, held SD-JWT copies, presentations) and the issuer's
// batch building (status index allocation, SD-JWT copies, Merkle anchors).
// The verifier side lives in chain/verify and reads the formats below.
// Credentials are SD-JWTs (chain/sdjwt); anchors are RFC 6962 Merkle roots
// (tx.MerkleRoot).
//
// # Exported API
//
// Formats shared with verifiers (envelope.go):
//
//	const Format = "citychain-vp/1"
//	const ModuleCredentials = "credentials"; const ModuleCertificates = "certificates"
//	const VctCard = "citizen_card"; const CertificateVctPrefix = "certificate:"
//	const ScopeToken = "token"                            // visible scope of a printed token
//	func CertificateVct(kind string) string               // "certificate:<kind>"
//	type AnchorProof struct { ID, Index, Count uint64; Path []tx.Hash32 }   // json id,index,count,path
//	func (a AnchorProof) Verify(root tx.Hash32, jwt string) bool            // leaf = SHA-256(jwt)
//	type Envelope struct { Format, Module, SDJWT string; Anchor AnchorProof } // json format,module,sd_jwt,anchor
//	func (e *Envelope) Validate() error                   // format, module, non-empty sd_jwt, index < count <= tx.MaxMerkleCount
//	func (e *Envelope) Leaf() (tx.Hash32, error)          // SHA-256 of the issuer JWT in sd_jwt
//	type Challenge struct { Facility, Reader, Nonce string; Time time.Time } // json facility,reader,nonce (64 hex),time
//	func NewChallenge(facility, reader string, now time.Time) (Challenge, error) // fresh random nonce
//	func (c Challenge) Validate() error                   // facility and reader ids ([a-z0-9_-]{1,64}), nonce 64 hex, time set
//	func ValidateReaderID(id string) error
//	func (c Challenge) Aud() string                       // "<facility>/<reader>", the KB-JWT aud
//	type EntryResponse struct { Challenge Challenge; Card Envelope; Claims []Envelope } // json challenge,card,claims
//	type VerifierRequest struct { Verifier, Nonce string; Claims []string; Signature tx.HexBytes } // json verifier,nonce,claims,signature
//	func (r *VerifierRequest) SignBytes() []byte          // what the verifier's registered key signs
//	func (r *VerifierRequest) Sign(key ed25519.PrivateKey)
//	func (r *VerifierRequest) CheckAgainst(reg tx.Verifier) error // id, active, signature by reg.Key, claims within reg.Claims
//	type CertificateRequest struct { Verifier, Nonce, Kind string; Fields []string } // json verifier,nonce,kind,fields
//	func (r *CertificateRequest) Validate() error
//	type Presentation struct { Verifier, Nonce string; Envelopes []Envelope } // json verifier,nonce,envelopes
//	const TokenFormat = "citychain-token/1"; const MaxTokenClaims = 8
//	type PrintedToken struct { Format string; Card Envelope; Claims []Envelope } // json format,card,claims; no KB anywhere
//	func (t *PrintedToken) Validate() error
//	func (t *PrintedToken) Text() (string, error)         // one line of compact JSON (paper, QR code)
//	func ParsePrintedToken(text []byte) (*PrintedToken, error)
//	func (t *PrintedToken) Response(ch Challenge) *EntryResponse // a reader checks it as the answer to its challenge
//
// A card or credential presented at a facility uses KB aud Challenge.Aud()
// and nonce Challenge.Nonce; one presented to a verifier (credentials or
// certificates) uses aud = the verifier id and the request's nonce. Every
// envelope of one EntryResponse or Presentation is bound to the same slot
// (cnf) key; a facility knows the holder by tx.Pseudonym(facility, that key).
//
// Keys (keys.go):
//
//	func DeriveKey(seed []byte, label string) ed25519.PrivateKey // NewKeyFromSeed(HMAC-SHA256(seed, label))
//	func DeviceLabel(n uint32) string                     // "citychain/device/v1/<n>"
//	func SlotLabel(n uint32) string                       // "citychain/slot/v1/<n>"
//
// Holder wallet file (wallet.go): scrypt N=32768 r=8 p=1 + AES-256-GCM,
// mode 0600, written atomically; the PIN is never stored.
//
//	var ErrWrongPIN = errors.New("wrong PIN or damaged wallet")
//	var ErrNoUnusedCopy                                   // "no unused copy left: ask the issuer for a new batch"
//	func Create(path, pin string) (*Wallet, error)        // new random 32-byte seed; refuses an existing file
//	func Open(path, pin string) (*Wallet, error)          // ErrWrongPIN on a wrong PIN or damaged file
//	func (w *Wallet) Save() error
//	func (w *Wallet) ChangePIN(pin string) error
//	func (w *Wallet) DeviceKey(n uint32) ed25519.PrivateKey
//	func (w *Wallet) SlotKey(n uint32) ed25519.PrivateKey
//	func (w *Wallet) Path() string
//	func (w *Wallet) NextDevice() (uint32, ed25519.PrivateKey, error) // records the next device key; saved
//	func (w *Wallet) Devices() []uint32
//	func (w *Wallet) Identity() string; func (w *Wallet) SetIdentity(id string) error // saved
//	func (w *Wallet) Request(n int) (HolderRequest, error)  // n fresh slots (n <= 0: DefaultBatch = 10); saved
//	func (w *Wallet) RequestSlots(slots []uint32) (HolderRequest, error) // more copies for slots already made
//	func (w *Wallet) Import(d *Delivery) (int, error)     // checks each copy; saved; returns copies added
//	func (w *Wallet) Documents() []Document               // every held copy (cards, credentials, certificates)
//	func (w *Wallet) Reveals() []CardReveal               // the card-copy openings for identity/suspend (tokens included)
//	func (w *Wallet) Tokens() []Document                  // printed tokens' card copies (Scope "token") and the credentials of their keys (Holder set)
//	func (w *Wallet) RequestTokens() (HolderRequest, error) // the tokens' keys, for a credential issuer
//	func (w *Wallet) PrintToken(n int, claims []string, now time.Time) (*PrintedToken, error) // token n with credentials disclosing claims
//	func (w *Wallet) Facilities() []string                // facilities with an assigned slot, sorted
//	func (w *Wallet) FacilitySlot(facility string) (uint32, bool)
//	func (w *Wallet) Pseudonym(facility string) (tx.Hash32, bool)
//	func (w *Wallet) Unused() int                         // slots never shown to anyone
//	func (w *Wallet) VerifierSlots(verifier string) []uint32
//	func (w *Wallet) Entry(ch Challenge, facilityClaims []string, now time.Time) (*EntryResponse, error) // saved
//	func (w *Wallet) Present(req VerifierRequest, reg tx.Verifier, now time.Time) (*Presentation, error) // saved
//	func (w *Wallet) PresentCertificate(req CertificateRequest, now time.Time) (*Presentation, error)     // saved
//	var ErrNoCredential, ErrCredentialExpired              // registry evidence: no credential of the schema; every one expired
//	const RegistryVerifierPrefix = "registry:"; func RegistryVerifier(registry string) string // where slots shown to a registry are recorded
//	type RegistryTarget struct { ChainID, Registry string; ID, Version uint64; Transition string; Signer tx.Address }
//	func (t *RegistryTarget) Validate() error
//	func (w *Wallet) RegistryEvidence(t RegistryTarget, schemas []string, now time.Time) ([]tx.RegistryEvidence, error) // one never-shown slot per schema; saved
//	const VotingPropose, VotingSupport, VotingCredential = "propose", "support", "credential"; const VotingVerifierPrefix = "voting:"
//	func VotingVerifier(purpose string, id uint64) string // "voting:<purpose>:<id>", where slots shown to the voting module are recorded
//	type VotingTarget struct { ChainID, Purpose string; ID uint64; Identity tx.Address }
//	func (w *Wallet) VotingEligibility(t VotingTarget, schema, claim string, now time.Time) (*tx.VotingEligibility, error) // one never-shown slot, its claim disclosed; saved
//	type HolderRequest struct { HolderKeys []tx.PubKey }  // json holder_keys
//	type Document struct { Slot uint32; Module, Vct, Iss, KID, SDJWT string; Anchor AnchorProof; Status *sdjwt.Status; Iat, Exp int64; Claims []string; Scope string; Holder tx.PubKey }
//	type CardReveal struct { List string; tx.CardReveal } // json list,idx,salt
//	func (r CardReveal) Hash() tx.Hash32                  // tx.CardCommitment(List, Idx, Salt)
//
// Issuer side (issue.go, alloc.go):
//
//	func OpenAllocator(path string, size uint32) (*Allocator, error) // bitmap file, created when absent
//	func (a *Allocator) Allocate(n int) ([]uint32, error) // n distinct random free indices (crypto/rand), persisted first
//	func (a *Allocator) Allocated(idx uint32) bool; func (a *Allocator) Used() uint32; func (a *Allocator) Size() uint32
//	type BatchSpec struct { Key ed25519.PrivateKey; Iss, Vct string; Now, Exp time.Time; List string; Alloc *Allocator }
//	type Item struct { HolderKey tx.PubKey; Claims []sdjwt.Claim; Holder string; Token bool }
//	func SameClaims(keys []tx.PubKey, claims []sdjwt.Claim) []Item
//	func TokenItem(holder string, claims []sdjwt.Claim) Item // a printed token of holder (key made at issuance)
//	func IssueBatch(spec BatchSpec, items []Item) (*Batch, error)       // credentials: one copy per item
//	func IssueCardBatch(spec BatchSpec, items []Item) (*Batch, error)   // vct citizen_card, commitments + reveals; <= 64 per Item.Holder, <= 100,000 per batch
//	func IssueCertificates(spec BatchSpec, kind string, items []Item) (*Batch, error) // vct certificate:<kind>, no status, no exp
//	type Batch struct { Module, Vct string; Root tx.Hash32; Count uint32; Copies []IssuedCopy; Commitments []tx.Hash32; Reveals []CardReveal }
//	type IssuedCopy struct { SDJWT string; HolderKey tx.PubKey; Index uint64; Leaf tx.Hash32; Path []tx.Hash32; Status *sdjwt.Status; Scope string }
//	func (b *Batch) Delivery(anchorID uint64, keys []tx.PubKey) (*Delivery, error) // the copies of these holder keys and their holders' tokens (all when nil)
//	func (d *Delivery) Tokens() []PrintedToken            // the office's printouts of the delivery's tokens
//	type Delivery struct { Module string; Anchor uint64; Root tx.Hash32; Count uint64; Copies []IssuedCopy; Reveals []CardReveal }
package wallet
