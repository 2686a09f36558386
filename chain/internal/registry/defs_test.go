package registry_test

// The registries of the tests, as an agency writes them: data only.

// petDef is a district's pet registration (동물등록): a vet or a district
// officer registers a dog or cat by its 15-digit microchip; the district
// transfers it to a new owner, anyone with a role reports it lost (a year
// lost and it is presumed lost), an inspector records its weight, and
// cancelling a registration needs two district officers.
const petDef = `{
  "name": "pet_registration",
  "version": "1.0",
  "title": "Pet registration (동물등록)",
  "description": "Dogs and cats registered by microchip in the district.",
  "schema": {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "microchip_id": {"type": "string", "pattern": "^[0-9]{15}$", "maxLength": 15},
      "species": {"type": "string", "enum": ["dog", "cat"]},
      "name": {"type": "string", "minLength": 1, "maxLength": 64},
      "breed": {"type": "string", "maxLength": 64},
      "birth_date": {"type": "string", "format": "date"},
      "owner": {"type": "string", "format": "address"},
      "district": {"type": "string", "enum": ["mapo", "jongno", "gangnam"]},
      "weight_kg": {"type": "integer", "minimum": 0, "maximum": 200},
      "tags": {"type": "array", "items": {"type": "string", "maxLength": 16}, "maxItems": 4}
    },
    "required": ["microchip_id", "species", "name", "owner", "district"]
  },
  "privacy": "public",
  "roles": [
    {"name": "district_officer", "description": "registers, transfers and cancels"},
    {"name": "vet", "description": "registers at microchipping"},
    {"name": "inspector", "description": "records inspections"}
  ],
  "create_roles": ["district_officer", "vet"],
  "initial": "registered",
  "states": [
    {"name": "registered"},
    {"name": "lost", "deadline": {"after_days": 365, "to": "presumed_lost"}},
    {"name": "presumed_lost"},
    {"name": "deceased", "final": true},
    {"name": "cancelled", "final": true}
  ],
  "transitions": [
    {"name": "transfer", "from": ["registered"], "to": "registered", "roles": ["district_officer"], "patch": ["owner"]},
    {"name": "report_lost", "from": ["registered"], "to": "lost", "roles": ["district_officer", "vet"]},
    {"name": "found", "from": ["lost", "presumed_lost"], "to": "registered", "roles": ["district_officer"]},
    {"name": "inspect", "from": ["registered"], "to": "registered", "roles": ["inspector"], "patch": ["weight_kg", "tags"]},
    {"name": "deceased", "from": ["registered", "lost", "presumed_lost"], "to": "deceased", "roles": ["vet", "district_officer"]},
    {"name": "cancel", "from": ["registered"], "to": "cancelled", "roles": ["district_officer"], "approvals": 2}
  ],
  "indexes": ["microchip_id", "owner"],
  "limits": {"max_record_bytes": 1024, "max_records": 1000}
}`

// trustDef is the public-interest trust filings (공익신탁법): an applicant
// files, the ministry authorises with two officers of three (or refuses),
// and a filing left undecided 90 days is decision_overdue by itself; the
// filing document stays off chain (privacy hash).
const trustDef = `{
  "name": "trust_filings",
  "version": "1.0",
  "title": "Public-interest trust filings",
  "schema": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "trust_name": {"type": "string", "minLength": 1, "maxLength": 128},
      "purpose": {"type": "string", "enum": ["scholarship", "welfare", "culture", "environment"]},
      "trustee": {"type": "string", "format": "address"},
      "amount_krw": {"type": "integer", "minimum": 1},
      "filed": {"type": "string", "format": "date"}
    },
    "required": ["trust_name", "purpose", "trustee", "amount_krw", "filed"]
  },
  "privacy": "hash",
  "roles": [{"name": "applicant"}, {"name": "moj_officer"}],
  "create_roles": ["applicant"],
  "initial": "applied",
  "states": [
    {"name": "applied", "deadline": {"after_days": 90, "to": "decision_overdue"}},
    {"name": "authorised"},
    {"name": "refused", "final": true},
    {"name": "decision_overdue"}
  ],
  "transitions": [
    {"name": "authorise", "from": ["applied", "decision_overdue"], "to": "authorised", "roles": ["moj_officer"], "approvals": 2},
    {"name": "refuse", "from": ["applied", "decision_overdue"], "to": "refused", "roles": ["moj_officer"]}
  ],
  "indexes": ["trustee", "purpose"],
  "limits": {"max_record_bytes": 2048, "max_records": 100000}
}`

// vaccinationDef records a pet's rabies vaccination: only a vet holding
// an unrevoked licensed_vet credential certifies it, and only for a pet
// registered in pet_registration.
const vaccinationDef = `{
  "name": "vaccinations",
  "version": "1.0",
  "title": "Rabies vaccinations",
  "schema": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "pet_id": {"type": "integer", "minimum": 1},
      "vaccine": {"type": "string", "maxLength": 32},
      "date": {"type": "string", "format": "date"}
    },
    "required": ["pet_id", "vaccine", "date"]
  },
  "privacy": "pointer",
  "roles": [{"name": "vet"}],
  "create_roles": ["vet"],
  "initial": "recorded",
  "states": [{"name": "recorded"}, {"name": "certified", "final": true}],
  "transitions": [
    {"name": "certify", "from": ["recorded"], "to": "certified", "roles": ["vet"],
     "requires": [{"record": {"registry": "pet_registration", "field": "pet_id", "states": ["registered"]}},
                  {"credential": {"schema": "licensed_vet"}}]}
  ],
  "limits": {"max_record_bytes": 512, "max_records": 4}
}`

// A pet's data.
func petData(chip, owner string) string {
	return `{"microchip_id":"` + chip + `","species":"dog","name":"Bori","breed":"Jindo","birth_date":"2021-04-05","owner":"` +
		owner + `","district":"mapo"}`
}
