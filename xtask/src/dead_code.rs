//! Empties the widget wasm's functions that only wasm-streams' JS classes can reach.
//!
//! Leptos always links server_fn's browser client, and with it wasm-streams, whose
//! `#[wasm_bindgen]` classes (`IntoUnderlyingSource`, `…ByteSource`, `…Sink`) are exported.
//! The build removes those exports ([`super::DEAD_EXPORTS`]) and their JS classes, but the
//! futures their methods start stay in the function table (their vtables are data, which
//! wasm-opt cannot read), and with them the code they call: about 3 KB gzip. The widget never
//! makes a wasm-streams object (the build refuses a glue that hands one to JS), so nothing
//! runs them: each function whose name (the name section, before wasm-opt drops it) mentions
//! `wasm_streams` gets the body `unreachable`, and wasm-opt removes what only they called.
//! A name is a function's own only because the widget is built with
//! `-Zmerge-functions=disabled` ([`super::widget`]): LLVM merges identical functions into one
//! body that keeps only one of their names.

use super::short_imports::{write_leb, Reader};

/// The crate whose functions are emptied.
pub const DEAD_CRATE: &str = "wasm_streams";

/// `wasm` with the body of every function whose name contains [`DEAD_CRATE`] made
/// `unreachable`, and how many there were. Refuses a module without function names.
pub fn empty_dead(wasm: &[u8]) -> Result<(Vec<u8>, usize), String> {
    const HEADER: &[u8] = b"\0asm\x01\0\0\0";
    if !wasm.starts_with(HEADER) {
        return Err("not a wasm module (version 1)".into());
    }
    let mut sections = Vec::new();
    let mut at = Reader::new(wasm, HEADER.len());
    while !at.done() {
        let id = at.byte()?;
        let size = at.leb()? as usize;
        sections.push((id, at.take(size)?));
    }
    let imported = sections
        .iter()
        .find(|(id, _)| *id == 2)
        .map_or(Ok(0), |(_, body)| imported_functions(body))?;
    let names = sections
        .iter()
        .filter(|(id, _)| *id == 0)
        .find_map(|(_, body)| function_names(body).transpose())
        .ok_or("no function names: keep the name section until wasm-opt")??;
    let dead: Vec<u64> = names
        .iter()
        .filter(|(_, name)| name.contains(DEAD_CRATE))
        .map(|(index, _)| *index)
        .collect();
    let mut out = HEADER.to_vec();
    let mut emptied = 0;
    for (id, body) in sections {
        let body = if id == 10 {
            let (code, n) = empty_bodies(body, imported, &dead)?;
            emptied = n;
            code
        } else {
            body.to_vec()
        };
        out.push(id);
        write_leb(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
    }
    Ok((out, emptied))
}

/// How many functions the import section imports (they come first in the index space).
fn imported_functions(body: &[u8]) -> Result<u64, String> {
    let mut at = Reader::new(body, 0);
    let mut functions = 0;
    for _ in 0..at.leb()? {
        at.name()?;
        at.name()?;
        match at.byte()? {
            0x00 => {
                at.leb()?;
                functions += 1;
            }
            0x01 => {
                at.byte()?;
                at.limits()?;
            }
            0x02 => at.limits()?,
            0x03 => {
                at.take(2)?;
            }
            0x04 => {
                at.byte()?;
                at.leb()?;
            }
            kind => return Err(format!("import of unknown kind {kind:#x}")),
        }
    }
    Ok(functions)
}

/// The function names of a custom section, if it is the `name` section.
fn function_names(body: &[u8]) -> Result<Option<Vec<(u64, String)>>, String> {
    let mut at = Reader::new(body, 0);
    let len = at.leb()? as usize;
    if at.take(len)? != b"name" {
        return Ok(None);
    }
    while !at.done() {
        let sub = at.byte()?;
        let size = at.leb()? as usize;
        let content = at.take(size)?;
        if sub == 1 {
            let mut names = Reader::new(content, 0);
            let mut out = Vec::new();
            for _ in 0..names.leb()? {
                let index = names.leb()?;
                let len = names.leb()? as usize;
                let name = String::from_utf8_lossy(names.take(len)?).into_owned();
                out.push((index, name));
            }
            return Ok(Some(out));
        }
    }
    Ok(None)
}

/// The code section with the bodies of the `dead` functions (indices counting imports)
/// replaced by `unreachable`; how many were.
fn empty_bodies(body: &[u8], imported: u64, dead: &[u64]) -> Result<(Vec<u8>, usize), String> {
    /// No locals, `unreachable`, `end`.
    const EMPTY: &[u8] = &[0x00, 0x00, 0x0b];
    let mut at = Reader::new(body, 0);
    let count = at.leb()?;
    let mut out = Vec::with_capacity(body.len());
    write_leb(&mut out, count);
    let mut emptied = 0;
    for i in 0..count {
        let size = at.leb()? as usize;
        let code = at.take(size)?;
        let code = if dead.contains(&(imported + i)) {
            emptied += 1;
            EMPTY
        } else {
            code
        };
        write_leb(&mut out, code.len() as u64);
        out.extend_from_slice(code);
    }
    if !at.done() {
        return Err("code section longer than its bodies".into());
    }
    Ok((out, emptied))
}

#[cfg(test)]
mod tests {
    use super::super::short_imports::write_name;
    use super::*;

    fn section(out: &mut Vec<u8>, id: u8, body: &[u8]) {
        out.push(id);
        write_leb(out, body.len() as u64);
        out.extend_from_slice(body);
    }

    /// One imported function (index 0) and two defined ones: 1 `kept`, 2 the dead crate's.
    fn module(with_names: bool) -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        section(&mut wasm, 1, &[1, 0x60, 0, 0]);
        let mut imports = vec![1];
        write_name(&mut imports, "env");
        write_name(&mut imports, "f");
        imports.extend_from_slice(&[0x00, 0x00]);
        section(&mut wasm, 2, &imports);
        section(&mut wasm, 3, &[2, 0, 0]);
        // Bodies: no locals, `nop nop end`, and `call 0, end`.
        section(&mut wasm, 10, &[2, 4, 0, 1, 1, 0x0b, 4, 0, 0x10, 0, 0x0b]);
        if with_names {
            let mut names = Vec::new();
            write_name(&mut names, "name");
            let mut functions = vec![3];
            for (i, n) in ["f", "kept", "<wasm_streams::Sink>::write"]
                .iter()
                .enumerate()
            {
                write_leb(&mut functions, i as u64);
                write_name(&mut functions, n);
            }
            names.push(1);
            write_leb(&mut names, functions.len() as u64);
            names.extend_from_slice(&functions);
            section(&mut wasm, 0, &names);
        }
        wasm
    }

    #[test]
    fn empties_the_dead_crates_functions_only() {
        let (wasm, emptied) = empty_dead(&module(true)).unwrap();
        assert_eq!(emptied, 1);
        let original = module(true);
        let code_before = [2, 4, 0, 1, 1, 0x0b, 4, 0, 0x10, 0, 0x0b];
        let code_after = [2, 4, 0, 1, 1, 0x0b, 3, 0, 0x00, 0x0b];
        let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        assert!(find(&original, &code_before));
        assert!(find(&wasm, &code_after));
        assert_eq!(wasm.len(), original.len() - 1);
    }

    #[test]
    fn refuses_a_module_without_names() {
        assert!(empty_dead(&module(false)).is_err());
        assert!(empty_dead(b"not wasm").is_err());
    }
}
