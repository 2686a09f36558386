package regschema

// CheckMinor reports whether next is a valid minor version of prev: the
// same document except that next may add properties to object schemas
// (anywhere) that are not listed in required. Every record valid under prev
// is then valid under next. Anything else is an *Error whose Path points
// into next (or, for a removal, at what is missing from it), for example
// "/required": "minor version adds required property \"owner_phone\"",
// "/properties/age/type": "minor version changes \"type\" from \"integer\"
// to \"string\"", "/properties/name": "minor version removes property
// \"name\"". Annotations (title, description, $comment, examples, default)
// and $id/$schema count as part of the document: changing them is not a
// minor version. The order of the entries of required does not matter (it
// is a set); every other array must be identical. Schemas are compared
// depth first with keywords and property names in sorted order; the first
// difference is reported.
func CheckMinor(prev, next *Schema) error {
	if prev == nil || next == nil {
		return errAt("", "no schema to compare")
	}
	if err := minorSchema("", &prev.doc, &next.doc); err != nil {
		return err
	}
	return nil
}

func minorSchema(path string, prev, next *value) *Error {
	i, j := 0, 0
	for i < len(prev.obj) || j < len(next.obj) {
		var c int
		switch {
		case i == len(prev.obj):
			c = 1
		case j == len(next.obj):
			c = -1
		default:
			c = compareUTF16(prev.obj[i].key, next.obj[j].key)
		}
		switch {
		case c < 0:
			return errAt(child(path, prev.obj[i].key), "minor version removes keyword %q", prev.obj[i].key)
		case c > 0:
			if next.obj[j].key == "required" && len(next.obj[j].val.arr) > 0 {
				return errAt(child(path, "required"), "minor version adds required property %q", next.obj[j].val.arr[0].s)
			}
			return errAt(child(path, next.obj[j].key), "minor version adds keyword %q", next.obj[j].key)
		}
		key, p, n := prev.obj[i].key, &prev.obj[i].val, &next.obj[j].val
		i++
		j++
		kp := child(path, key)
		var err *Error
		switch key {
		case "properties":
			err = minorProperties(kp, p, n)
		case "items":
			err = minorSchema(kp, p, n)
		case "required":
			err = minorRequired(kp, p, n)
		default:
			if !equalValues(p, n) {
				err = errAt(kp, "minor version changes %q from %s to %s", key, short(p), short(n))
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// minorProperties compares two "properties" objects: next may add names.
// Whether an added property is required is checked with required.
func minorProperties(path string, prev, next *value) *Error {
	j := 0
	for i := range prev.obj {
		name := prev.obj[i].key
		for j < len(next.obj) && compareUTF16(next.obj[j].key, name) < 0 {
			j++ // added in next
		}
		if j == len(next.obj) || next.obj[j].key != name {
			return errAt(child(path, name), "minor version removes property %q", name)
		}
		if err := minorSchema(child(path, name), &prev.obj[i].val, &next.obj[j].val); err != nil {
			return err
		}
		j++
	}
	return nil
}

// minorRequired compares two "required" arrays as sets.
func minorRequired(path string, prev, next *value) *Error {
	has := func(v *value, s string) bool {
		for i := range v.arr {
			if v.arr[i].s == s {
				return true
			}
		}
		return false
	}
	for i := range next.arr {
		if !has(prev, next.arr[i].s) {
			return errAt(path, "minor version adds required property %q", next.arr[i].s)
		}
	}
	for i := range prev.arr {
		if !has(next, prev.arr[i].s) {
			return errAt(path, "minor version removes required property %q", prev.arr[i].s)
		}
	}
	return nil
}
