//! Short names for the widget's wasm imports.
//!
//! wasm-bindgen names every JS function the wasm imports `__wbg_<name>_<16 hex digits>`, from
//! the module `./lipa_widget_bg.js`, and writes each name twice: in the wasm's import section
//! and as a key of the glue's import object. The hex digits do not compress (about 3.3 KB
//! gzip in the wasm, 1.9 KB in the glue for the widget's 145 imports). This pass renames
//! every import of that module to `a`, `b`, … `Z`, `aa`, … and the module to `wbg`, in the
//! wasm's import section and in the glue, and refuses a glue in which a name is not exactly
//! one object key.
//!
//! The wasm's exports get the same treatment: wasm-bindgen's closure adapters are exported
//! under names that spell out their whole Rust signature (over 100 characters each with the
//! nightly's symbol names), read by the glue as `wasm.<name>`. Every export but `memory` is
//! renamed to `a`, `b`, … in the export section and at each `wasm.<name>` of the glue, and
//! a glue that still names one otherwise is refused.

use std::path::Path;

use crate::{TaskError, TaskResult};

/// wasm-bindgen's module name for the glue's imports.
const MODULE: &str = "./lipa_widget_bg.js";
/// The short module name.
const SHORT_MODULE: &str = "wbg";

/// Renames the imports of `wasm` from [`MODULE`] and the matching keys of `glue`, in place.
pub fn shorten(wasm: &Path, glue: &Path) -> TaskResult {
    let error = |path: &Path, e: String| TaskError(format!("{}: {e}", path.display()));
    let bytes = std::fs::read(wasm).map_err(|e| error(wasm, e.to_string()))?;
    let text = std::fs::read_to_string(glue).map_err(|e| error(glue, e.to_string()))?;
    let (bytes, renamed) = rename_imports(&bytes).map_err(|e| error(wasm, e))?;
    let text = rename_keys(&text, &renamed).map_err(|e| error(glue, e))?;
    let text = drop_unimported(&text, &renamed).map_err(|e| error(glue, e))?;
    let (bytes, renamed) = rename_exports(&bytes).map_err(|e| error(wasm, e))?;
    let text = rename_uses(&text, &renamed).map_err(|e| error(glue, e))?;
    std::fs::write(wasm, bytes).map_err(|e| error(wasm, e.to_string()))?;
    std::fs::write(glue, text).map_err(|e| error(glue, e.to_string()))
}

/// The `n`th short name: `a`…`z`, `A`…`Z`, then two letters and so on.
fn short_name(mut n: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = Vec::new();
    loop {
        name.push(LETTERS[n % LETTERS.len()]);
        n /= LETTERS.len();
        if n == 0 {
            break;
        }
        n -= 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// The wasm with each section of id `section` replaced by what `rewrite` makes of its body
/// (the imports are section 2, the exports 7); every other section as it was.
fn rewrite_section(
    wasm: &[u8],
    section: u8,
    mut rewrite: impl FnMut(&[u8]) -> Result<Vec<u8>, String>,
) -> Result<Vec<u8>, String> {
    const HEADER: &[u8] = b"\0asm\x01\0\0\0";
    if !wasm.starts_with(HEADER) {
        return Err("not a wasm module (version 1)".into());
    }
    let mut out = HEADER.to_vec();
    let mut at = Reader::new(wasm, HEADER.len());
    while !at.done() {
        let id = at.byte()?;
        let size = at.leb()? as usize;
        let body = at.take(size)?;
        let body = if id == section {
            rewrite(body)?
        } else {
            body.to_vec()
        };
        out.push(id);
        write_leb(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
    }
    Ok(out)
}

/// Each renamed import: (wasm-bindgen's name, the short one).
type Renamed = Vec<(String, String)>;

/// The wasm with [`MODULE`]'s imports renamed, and the names.
fn rename_imports(wasm: &[u8]) -> Result<(Vec<u8>, Renamed), String> {
    let mut renamed = Vec::new();
    let out = rewrite_section(wasm, 2, |body| imports_section(body, &mut renamed))?;
    if renamed.is_empty() {
        return Err(format!("no imports from {MODULE}"));
    }
    Ok((out, renamed))
}

/// One import section, rewritten.
fn imports_section(body: &[u8], renamed: &mut Renamed) -> Result<Vec<u8>, String> {
    let mut at = Reader::new(body, 0);
    let count = at.leb()?;
    let mut out = Vec::with_capacity(body.len());
    write_leb(&mut out, count);
    for _ in 0..count {
        let module = at.name()?;
        let field = at.name()?;
        let start = at.pos;
        match at.byte()? {
            // function: its type index
            0x00 => {
                at.leb()?;
            }
            // table: element type, then limits
            0x01 => {
                at.byte()?;
                at.limits()?;
            }
            0x02 => at.limits()?,
            // global: value type, mutability
            0x03 => {
                at.take(2)?;
            }
            kind => return Err(format!("import of unknown kind {kind:#x}")),
        }
        let desc = &body[start..at.pos];
        let (module, field) = if module == MODULE {
            let short = short_name(renamed.len());
            renamed.push((field.to_string(), short.clone()));
            (SHORT_MODULE, short)
        } else {
            (module, field.to_string())
        };
        write_name(&mut out, module);
        write_name(&mut out, &field);
        out.extend_from_slice(desc);
    }
    if !at.done() {
        return Err("import section longer than its entries".into());
    }
    Ok(out)
}

/// The glue without the import functions the wasm no longer imports (wasm-opt removed the
/// code that called them): each a key of wasm-bindgen's long form, `__wbg_…` or
/// `__wbindgen_…`, left after [`rename_keys`], from its line `        <key>: function(…) {`
/// through the next line of the same indentation that closes it (`        },`, or
/// `        }, arguments); },` for the functions wrapped in `handleError`). Refused when a
/// renamed key (`renamed`) is no longer a key of its own line after that.
fn drop_unimported(glue: &str, renamed: &[(String, String)]) -> Result<String, String> {
    const INDENT: &str = "        ";
    let mut kept = String::with_capacity(glue.len());
    let mut dropped = Vec::new();
    let mut lines = glue.lines();
    while let Some(line) = lines.next() {
        let key = line
            .strip_prefix(INDENT)
            .filter(|rest| rest.starts_with("__wbg_") || rest.starts_with("__wbindgen_"))
            .and_then(|rest| rest.split_once(": function("))
            .map(|(key, _)| key);
        match key {
            Some(key) if line.ends_with('{') => {
                dropped.push(key);
                let end = format!("{INDENT}}}");
                if !lines.by_ref().any(|l| l.starts_with(&end)) {
                    return Err(format!("the import function `{key}` does not end"));
                }
            }
            _ => {
                kept.push_str(line);
                kept.push('\n');
            }
        }
    }
    if let Some(key) = dropped.iter().find(|key| kept.contains(*key)) {
        return Err(format!("`{key}` is used in the glue but not imported"));
    }
    let lost = renamed.iter().find(|(_, new)| {
        let key = format!("{INDENT}{new}: ");
        !kept.lines().any(|l| l.starts_with(&key))
    });
    match lost {
        Some((old, _)) => Err(format!("the import `{old}` lost its function")),
        None => Ok(kept),
    }
}

/// The export kept by name: the glue reads the memory by `wasm.memory` among other words
/// that contain "memory", and the name is short already.
const KEPT_EXPORT: &str = "memory";

/// The wasm with every export but [`KEPT_EXPORT`] renamed, and the names.
fn rename_exports(wasm: &[u8]) -> Result<(Vec<u8>, Renamed), String> {
    let mut renamed = Vec::new();
    let out = rewrite_section(wasm, 7, |body| exports_section(body, &mut renamed))?;
    Ok((out, renamed))
}

/// One export section, rewritten: each entry a name, a kind byte and an index.
fn exports_section(body: &[u8], renamed: &mut Renamed) -> Result<Vec<u8>, String> {
    let mut at = Reader::new(body, 0);
    let count = at.leb()?;
    let mut out = Vec::with_capacity(body.len());
    write_leb(&mut out, count);
    for _ in 0..count {
        let name = at.name()?;
        let start = at.pos;
        at.byte()?;
        at.leb()?;
        let desc = &body[start..at.pos];
        if name == KEPT_EXPORT {
            write_name(&mut out, name);
        } else {
            let short = short_name(renamed.len());
            write_name(&mut out, &short);
            renamed.push((name.to_string(), short));
        }
        out.extend_from_slice(desc);
    }
    if !at.done() {
        return Err("export section longer than its entries".into());
    }
    Ok(out)
}

/// The glue with each `wasm.<old>` (a whole identifier) made `wasm.<new>`; refused when an
/// old name is still read after that as a property or a string.
fn rename_uses(glue: &str, renamed: &[(String, String)]) -> Result<String, String> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut glue = glue.to_string();
    for (old, new) in renamed {
        let key = format!("wasm.{old}");
        let mut out = String::with_capacity(glue.len());
        let mut rest = glue.as_str();
        while let Some(i) = rest.find(&key) {
            let end = i + key.len();
            let whole = !rest[..i].ends_with(ident) && !rest[end..].starts_with(ident);
            out.push_str(&rest[..i]);
            out.push_str(if whole { "wasm." } else { &key });
            if whole {
                out.push_str(new);
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        // Read some other way: as a property (`x.<old>`) or a string. The glue's own JS
        // wrapper of an adapter has the adapter's name, as a bare identifier (esbuild
        // shortens it). As a whole identifier: one adapter's name may begin another's
        // (`…_true_`, `…_true__13`).
        let read = out.match_indices(old.as_str()).any(|(i, _)| {
            let before = &out[..i];
            !before.ends_with(ident)
                && !out[i + old.len()..].starts_with(ident)
                && (before.ends_with('.') || before.ends_with('"') || before.ends_with('\''))
        });
        if read {
            return Err(format!(
                "the glue reads the export `{old}` other than as `wasm.{old}`"
            ));
        }
        glue = out;
    }
    Ok(glue)
}

/// The glue with each old import name, an object key `old:`, renamed, and the module's key.
fn rename_keys(glue: &str, renamed: &[(String, String)]) -> Result<String, String> {
    let mut glue = replace_once(glue, &format!("\"{MODULE}\":"), &format!("{SHORT_MODULE}:"))?;
    for (old, new) in renamed {
        glue = replace_once(&glue, &format!("{old}:"), &format!("{new}:"))?;
    }
    Ok(glue)
}

/// `text` with its one occurrence of `key` (a whole identifier) replaced.
fn replace_once(text: &str, key: &str, new: &str) -> Result<String, String> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut found = text
        .match_indices(key)
        .filter(|(i, _)| !text[..*i].ends_with(ident))
        .map(|(i, _)| i);
    match (found.next(), found.next()) {
        (Some(i), None) => Ok(format!("{}{new}{}", &text[..i], &text[i + key.len()..])),
        (None, _) => Err(format!("`{key}` not in wasm-bindgen's glue")),
        (Some(_), Some(_)) => Err(format!("`{key}` more than once in wasm-bindgen's glue")),
    }
}

/// A cursor over a wasm section.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8], pos: usize) -> Self {
        Reader { bytes, pos }
    }

    pub(super) fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub(super) fn byte(&mut self) -> Result<u8, String> {
        let b = *self.bytes.get(self.pos).ok_or("wasm ends early")?;
        self.pos += 1;
        Ok(b)
    }

    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or("wasm ends early")?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    /// An unsigned LEB128 number.
    pub(super) fn leb(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("LEB128 number too long".into())
    }

    pub(super) fn name(&mut self) -> Result<&'a str, String> {
        let len = self.leb()? as usize;
        std::str::from_utf8(self.take(len)?).map_err(|_| "import name not UTF-8".to_string())
    }

    /// Table or memory limits: flags (bit 0: a maximum follows), minimum, maximum.
    pub(super) fn limits(&mut self) -> Result<(), String> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 == 1 {
            self.leb()?;
        }
        Ok(())
    }
}

pub(super) fn write_leb(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

pub(super) fn write_name(out: &mut Vec<u8>, name: &str) {
    write_leb(out, name.len() as u64);
    out.extend_from_slice(name.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_distinct_identifiers() {
        let names: Vec<String> = (0..3000).map(short_name).collect();
        assert_eq!(names[0], "a");
        assert_eq!(names[51], "Z");
        assert_eq!(names[52], "aa");
        let unique: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_alphabetic())));
    }

    /// A module importing `f` from wasm-bindgen's module and `g` from elsewhere.
    fn module() -> Vec<u8> {
        let mut imports = vec![2];
        for (module, field) in [(MODULE, "__wbg_f_0123456789abcdef"), ("env", "g")] {
            write_name(&mut imports, module);
            write_name(&mut imports, field);
            imports.extend_from_slice(&[0x00, 0x00]);
        }
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // type section: one `() -> ()`
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        wasm.push(2);
        write_leb(&mut wasm, imports.len() as u64);
        wasm.extend_from_slice(&imports);
        wasm
    }

    #[test]
    fn renames_the_glue_modules_imports_and_keeps_the_rest() {
        let (wasm, renamed) = rename_imports(&module()).unwrap();
        assert_eq!(
            renamed,
            vec![("__wbg_f_0123456789abcdef".to_string(), "a".to_string())]
        );
        let mut expected = b"\0asm\x01\0\0\0".to_vec();
        expected.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        let mut imports = vec![2];
        write_name(&mut imports, "wbg");
        write_name(&mut imports, "a");
        imports.extend_from_slice(&[0x00, 0x00]);
        write_name(&mut imports, "env");
        write_name(&mut imports, "g");
        imports.extend_from_slice(&[0x00, 0x00]);
        expected.push(2);
        write_leb(&mut expected, imports.len() as u64);
        expected.extend_from_slice(&imports);
        assert_eq!(wasm, expected);
    }

    #[test]
    fn renames_each_key_once_and_refuses_a_glue_of_another_shape() {
        let renamed = vec![("__wbg_f_01".to_string(), "a".to_string())];
        let glue = "const import0 = { __wbg_f_01: function() { x__wbg_f_01: 1 } };\n\
                    return { \"./lipa_widget_bg.js\": import0 };";
        assert_eq!(
            rename_keys(glue, &renamed).unwrap(),
            "const import0 = { a: function() { x__wbg_f_01: 1 } };\nreturn { wbg: import0 };"
        );
        assert!(rename_keys("{ __wbg_f_01: 1 }", &renamed).is_err());
        let twice = "{ \"./lipa_widget_bg.js\": 0, __wbg_f_01: 1, __wbg_f_01: 2 }";
        assert!(rename_keys(twice, &renamed).is_err());
    }

    /// A module exporting function 0 as `long_name`, and `memory`.
    fn exporting() -> Vec<u8> {
        let mut exports = vec![2];
        write_name(&mut exports, "long_name");
        exports.extend_from_slice(&[0x00, 0x00]);
        write_name(&mut exports, "memory");
        exports.extend_from_slice(&[0x02, 0x00]);
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.push(7);
        write_leb(&mut wasm, exports.len() as u64);
        wasm.extend_from_slice(&exports);
        wasm
    }

    #[test]
    fn renames_exports_but_memory_and_their_uses() {
        let (wasm, renamed) = rename_exports(&exporting()).unwrap();
        assert_eq!(renamed, vec![("long_name".to_string(), "a".to_string())]);
        let mut exports = vec![2];
        write_name(&mut exports, "a");
        exports.extend_from_slice(&[0x00, 0x00]);
        write_name(&mut exports, "memory");
        exports.extend_from_slice(&[0x02, 0x00]);
        let mut expected = b"\0asm\x01\0\0\0".to_vec();
        expected.push(7);
        write_leb(&mut expected, exports.len() as u64);
        expected.extend_from_slice(&exports);
        assert_eq!(wasm, expected);
        let glue = "function long_name() { wasm.long_name(1); f(wasm.long_name); }";
        assert_eq!(
            rename_uses(glue, &renamed).unwrap(),
            "function long_name() { wasm.a(1); f(wasm.a); }"
        );
        assert!(rename_uses("wasm.long_name(); exports.long_name", &renamed).is_err());
        assert!(rename_uses("wasm.long_name(); wasm[\"long_name\"]", &renamed).is_err());
        assert_eq!(
            rename_uses("wasm.long_name_2()", &renamed).unwrap(),
            "wasm.long_name_2()"
        );
    }

    #[test]
    fn drops_the_import_functions_left_unrenamed() {
        let renamed = vec![("__wbg_f_0123456789abcdef".to_string(), "a".to_string())];
        let glue = "const import0 = {\n        \
                    __wbg_view_0123456789abcdef: function() { return handleError(function (arg0) {\n            \
                    arg0.view();\n        }, arguments); },\n        \
                    a: function(arg0) {\n            f(arg0);\n        },\n        \
                    __wbg_byob_0123456789abcdef: function(arg0) {\n            const ret = arg0.byob;\n            \
                    return ret;\n        },\n};\n";
        assert_eq!(
            drop_unimported(glue, &renamed).unwrap(),
            "const import0 = {\n        a: function(arg0) {\n            f(arg0);\n        },\n};\n"
        );
        let unended = "        __wbg_x_0123456789abcdef: function() {\n";
        assert!(drop_unimported(unended, &[]).is_err());
        let used = "        __wbg_x_0123456789abcdef: function() {\n        },\nf(__wbg_x_0123456789abcdef);\n";
        assert!(drop_unimported(used, &[]).is_err());
        assert!(drop_unimported("        b: function() {\n        },\n", &renamed).is_err());
    }

    #[test]
    fn refuses_what_is_not_wasm() {
        assert!(rename_imports(b"not wasm").is_err());
        let mut cut = module();
        cut.pop();
        assert!(rename_imports(&cut).is_err());
    }
}
