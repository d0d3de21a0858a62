//! `rill run`: compile (streaming), link the preloaded modules and WASI, instantiate,
//! invoke.

use std::collections::HashMap;

use rill::{
    AbsHeapType, FuncType, HeapType, Imports, Instance, Module, RefType, Store, StoreLimitsBuilder,
    ValType, Value,
};
use rill_wasi::{I32Exit, WasiCtx, WasiCtxBuilder};
use tokio::runtime::Runtime;

use crate::failure::{Class, Failure};
use crate::source::{self, Input};

/// What `rill run` was asked to do.
pub struct RunArgs {
    pub module: Input,
    pub invoke: Option<String>,
    pub args: Vec<String>,
    /// `--preload NAME=FILE`, in order.
    pub preloads: Vec<(String, Input)>,
    /// `--dir HOST::GUEST`, in order (WASI descriptors 3, 4, …).
    pub dirs: Vec<(String, String)>,
    /// `--env KEY=VALUE`.
    pub envs: Vec<(String, String)>,
    /// `--timeout`: how long the guest may run, from when it is compiled.
    pub timeout: Option<std::time::Duration>,
    /// `--max-memory BYTES`: the most bytes of all the store's memories together.
    pub max_memory: Option<u64>,
    /// `--fuel N`: the fuel the guest may use, start functions included.
    pub fuel: Option<u64>,
}

/// The store's data: the WASI context every module of the run shares.
pub struct Host {
    wasi: WasiCtx,
}

/// Runs a module and gives the exit status: a WASI program's own (`proc_exit`), else 0.
/// Results are printed one per line. One store holds the preloaded instances and the
/// module's, so what a preloaded module exports is what the module imports; WASI's
/// functions are there for all of them.
pub fn run(rt: &Runtime, args: RunArgs) -> Result<u8, Failure> {
    match run_module(rt, args) {
        Ok(status) | Err(Stop::Exit(status)) => Ok(status),
        Err(Stop::Failed(f)) => Err(f),
    }
}

fn run_module(rt: &Runtime, args: RunArgs) -> Result<u8, Stop> {
    // With --fuel, every module is compiled with metering (the store refuses others).
    let config = rill::ModuleConfig::new().fuel(args.fuel.is_some());
    let module = source::compile_with(rt, &args.module, config)?;
    // A WASI program's arguments are its argv; with --invoke they are the function's.
    let is_wasi = rill_wasi::imports_wasi(&module);
    let argv_rest: &[String] = if is_wasi && args.invoke.is_none() {
        &args.args
    } else {
        &[]
    };
    let wasi = wasi_ctx(&args, argv_rest)?;
    let mut store = Store::new(Host { wasi });
    if let Some(t) = args.timeout {
        store.set_deadline(std::time::Instant::now().checked_add(t));
    }
    if let Some(bytes) = args.max_memory {
        // Before anything is made in the store, so every memory counts.
        store.set_limits(StoreLimitsBuilder::new().total_memory(bytes).build());
    }
    if let Some(fuel) = args.fuel {
        store
            .set_fuel(fuel)
            .map_err(|e| Failure::from_rill(e, "--fuel"))?;
    }
    let mut imports = Imports::new();
    rill_wasi::add_to_imports(&mut store, &mut imports, |h: &mut Host| &mut h.wasi);

    let mut preloaded: HashMap<String, Input> = HashMap::new();
    for (name, input) in &args.preloads {
        let module = source::compile_with(rt, input, config)?;
        let instance = instantiate(&mut store, &module, &imports, &preloaded, input)?;
        imports
            .define_instance(&store, name, &instance)
            .map_err(|e| Failure::from_rill(e, &input.to_string()))?;
        preloaded.insert(name.clone(), input.clone());
    }

    // Instantiating runs the start function, if the module has one.
    let instance = instantiate(&mut store, &module, &imports, &preloaded, &args.module)?;

    let name = match &args.invoke {
        Some(name) => name.as_str(),
        None if instance.get_func(&store, "_start").is_some() => "_start",
        None => {
            if !args.args.is_empty() && !is_wasi {
                return Err(Stop::Failed(Failure::new(
                    Class::TypeError,
                    format!(
                        "{}: arguments given, but there is no `_start` export and no --invoke NAME{}",
                        args.module,
                        exported_functions(&store, &instance)
                    ),
                )));
            }
            return Ok(0);
        }
    };
    let func = instance.get_func(&store, name).ok_or_else(|| {
        Failure::new(
            Class::TypeError,
            format!(
                "{}: no exported function {name:?}{}",
                args.module,
                exported_functions(&store, &instance)
            ),
        )
    })?;
    let ty = func.ty(&store).map_err(|e| Failure::from_rill(e, name))?;
    let call_args = if is_wasi && args.invoke.is_none() {
        &[][..]
    } else {
        &args.args[..]
    };
    let values = parse_args(name, &ty, call_args)?;
    let results = match func.call(&mut store, &values) {
        Ok(results) => results,
        Err(e) => match I32Exit::from_error(&e) {
            Some(status) => return Err(Stop::Exit(exit_status(status))),
            None => return Err(Failure::from_rill(e, name).into()),
        },
    };
    for v in results {
        out!("{}", format_value(&v));
    }
    Ok(0)
}

/// A WASI exit status as a process's: the low 8 bits, as POSIX `exit` keeps them.
fn exit_status(status: i32) -> u8 {
    status as u8
}

/// The WASI context: argv[0] is the module as named on the command line, then `rest`;
/// the environment is exactly the --env variables; standard streams are rill's own.
fn wasi_ctx(args: &RunArgs, rest: &[String]) -> Result<WasiCtx, Failure> {
    let mut b = WasiCtxBuilder::new();
    b.arg(args.module.to_string())
        .args(rest.iter().cloned())
        .envs(args.envs.iter().cloned())
        .inherit_stdio();
    for (host, guest) in &args.dirs {
        b.preopened_dir(host, guest.clone())
            .map_err(|e| Failure::io(format!("--dir {host}: {e}")))?;
    }
    Ok(b.build())
}

/// " (exported functions: a, b)", or "" when there are none.
fn exported_functions(store: &Store<Host>, instance: &Instance) -> String {
    let Ok(exports) = instance.exports(store) else {
        return String::new();
    };
    let names: Vec<&str> = exports
        .iter()
        .filter(|(_, e)| e.kind() == rill::ExternKind::Function)
        .map(|(n, _)| n)
        .collect();
    if names.is_empty() {
        " (the module exports no functions)".to_owned()
    } else {
        format!(" (exported functions: {})", names.join(", "))
    }
}

/// Instantiates `module` with the preloaded modules' exports. An import nobody provides is a
/// `LinkError` naming its module and field (JS would make a missing module a `TypeError`;
/// on the command line, "nothing provides this import" is what the user needs to know).
fn instantiate(
    store: &mut Store<Host>,
    module: &Module,
    imports: &Imports,
    preloaded: &HashMap<String, Input>,
    input: &Input,
) -> Result<Instance, Stop> {
    for import in module.imports() {
        if imports.get(&import.module, &import.name).is_none() {
            let why = match preloaded.get(&import.module) {
                Some(from) => format!(
                    "the module preloaded as {:?} ({from}) exports no {:?}",
                    import.module, import.name
                ),
                None => format!(
                    "no {} is provided for it (register a module under this name with --preload {}=FILE)",
                    import.kind, import.module
                ),
            };
            let e = rill::LinkError::new(import.module, import.name, why);
            return Err(Failure::from_rill(
                rill::Error::<std::convert::Infallible>::LinkError(e),
                &input.to_string(),
            )
            .into());
        }
    }
    Instance::new(store, module, imports).map_err(|e| match I32Exit::from_error(&e) {
        Some(status) => Stop::Exit(exit_status(status)),
        None => Failure::from_rill(e, &input.to_string()).into(),
    })
}

/// Why a run stopped early: the program ended itself with `proc_exit` (in its start
/// function or its `_start`), or something failed.
enum Stop {
    Exit(u8),
    Failed(Failure),
}

impl From<Failure> for Stop {
    fn from(f: Failure) -> Stop {
        Stop::Failed(f)
    }
}

/// Parses the command-line arguments by the function's parameter types.
fn parse_args(name: &str, ty: &FuncType, args: &[String]) -> Result<Vec<Value>, Failure> {
    let signature = || {
        let p: Vec<String> = ty.params.iter().map(|t| type_name(*t)).collect();
        format!("({})", p.join(" "))
    };
    if args.len() != ty.params.len() {
        return Err(Failure::new(
            Class::TypeError,
            format!(
                "{name}: expected {} argument{} {}, got {}",
                ty.params.len(),
                if ty.params.len() == 1 { "" } else { "s" },
                signature(),
                args.len()
            ),
        ));
    }
    args.iter()
        .zip(ty.params.iter())
        .enumerate()
        .map(|(i, (arg, t))| {
            parse_value(arg, *t).map_err(|why| {
                Failure::new(
                    Class::TypeError,
                    format!(
                        "{name}: argument {} {arg:?} is not a valid {}: {why}",
                        i + 1,
                        type_name(*t)
                    ),
                )
            })
        })
        .collect()
}

/// Parses one argument as a value of type `ty`: integers in decimal or `0x` hex (signed or
/// unsigned, `_` allowed), floats in decimal or as `inf`, `-inf`, `nan`, `nan:0x…`, and
/// `null` for a nullable reference.
pub fn parse_value(s: &str, ty: ValType) -> Result<Value, String> {
    match ty {
        ValType::I32 => {
            let v = parse_int(s)?;
            if !(i128::from(i32::MIN)..=i128::from(u32::MAX)).contains(&v) {
                return Err("out of range".into());
            }
            Ok(Value::I32(v as u32 as i32))
        }
        ValType::I64 => {
            let v = parse_int(s)?;
            if !(i128::from(i64::MIN)..=i128::from(u64::MAX)).contains(&v) {
                return Err("out of range".into());
            }
            Ok(Value::I64(v as u64 as i64))
        }
        ValType::F32 => parse_float(s, 23, 8).map(|bits| Value::F32(f32::from_bits(bits as u32))),
        ValType::F64 => parse_float(s, 52, 11).map(|bits| Value::F64(f64::from_bits(bits))),
        ValType::V128 => Err("v128 values cannot be passed from the host".into()),
        ValType::Ref(r) => {
            if s != "null" {
                return Err("the only reference a command line can give is `null`".into());
            }
            if !r.nullable {
                return Err("the type is not nullable".into());
            }
            [Value::FuncRef(None), Value::ExternRef(None), Value::NullRef]
                .into_iter()
                .find(|v| v.matches(ty))
                .ok_or_else(|| "no null of this type".to_owned())
        }
    }
}

fn parse_int(s: &str) -> Result<i128, String> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let digits: String = rest.chars().filter(|c| *c != '_').collect();
    let (radix, digits) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(h) => (16, h.to_owned()),
        None => (10, digits),
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return Err("not an integer".into());
    }
    let v = u128::from_str_radix(&digits, radix).map_err(|_| "not an integer".to_owned())?;
    let v = i128::try_from(v).map_err(|_| "out of range".to_owned())?;
    Ok(if neg { -v } else { v })
}

/// The bits of a float with `mantissa` fraction bits and `exponent` exponent bits.
fn parse_float(s: &str, mantissa: u32, exponent: u32) -> Result<u64, String> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let sign = u64::from(neg) << (mantissa + exponent);
    let exp_all = ((1u64 << exponent) - 1) << mantissa;
    if rest == "inf" {
        return Ok(sign | exp_all);
    }
    if rest == "nan" {
        return Ok(sign | exp_all | (1 << (mantissa - 1)));
    }
    if let Some(payload) = rest.strip_prefix("nan:0x") {
        let p = u64::from_str_radix(payload, 16).map_err(|_| "bad NaN payload".to_owned())?;
        if p == 0 || p >= 1 << mantissa {
            return Err("NaN payload out of range".into());
        }
        return Ok(sign | exp_all | p);
    }
    if !rest.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return Err("not a number".into());
    }
    let digits: String = rest.chars().filter(|c| *c != '_').collect();
    if mantissa == 23 {
        let v: f32 = digits.parse().map_err(|_| "not a number".to_owned())?;
        Ok(u64::from(v.to_bits()) | sign)
    } else {
        let v: f64 = digits.parse().map_err(|_| "not a number".to_owned())?;
        Ok(v.to_bits() | sign)
    }
}

/// A result as printed: integers signed in decimal, floats as Rust prints them shortest
/// (`inf`, `-inf`, `nan`, `nan:0x…` for NaNs with another payload), references as `null`,
/// `funcref` or `externref`.
pub fn format_value(v: &Value) -> String {
    match v {
        Value::I32(x) => x.to_string(),
        Value::I64(x) => x.to_string(),
        Value::F32(x) => format_float(
            f64::from(*x),
            u64::from(x.to_bits()),
            23,
            x.is_nan(),
            x.is_sign_negative(),
            format!("{x:?}"),
        ),
        Value::F64(x) => format_float(
            *x,
            x.to_bits(),
            52,
            x.is_nan(),
            x.is_sign_negative(),
            format!("{x:?}"),
        ),
        Value::V128(x) => format!("0x{x:032x}"),
        Value::FuncRef(None) | Value::ExternRef(None) | Value::NullRef => "null".to_owned(),
        Value::FuncRef(Some(_)) => "funcref".to_owned(),
        Value::ExternRef(Some(_)) => "externref".to_owned(),
    }
}

fn format_float(x: f64, bits: u64, mantissa: u32, nan: bool, neg: bool, debug: String) -> String {
    let sign = if neg { "-" } else { "" };
    if nan {
        let payload = bits & ((1 << mantissa) - 1);
        if payload == 1 << (mantissa - 1) {
            format!("{sign}nan")
        } else {
            format!("{sign}nan:0x{payload:x}")
        }
    } else if x.is_infinite() {
        format!("{sign}inf")
    } else {
        debug
    }
}

/// A value type as the text format writes it.
pub fn type_name(t: ValType) -> String {
    match t {
        ValType::I32 => "i32".into(),
        ValType::I64 => "i64".into(),
        ValType::F32 => "f32".into(),
        ValType::F64 => "f64".into(),
        ValType::V128 => "v128".into(),
        ValType::Ref(r) => ref_type_name(r),
    }
}

pub fn ref_type_name(r: RefType) -> String {
    let heap = match r.heap {
        HeapType::Abstract(a) => {
            let name = abs_heap_name(a);
            if r.nullable {
                let short = match a {
                    AbsHeapType::NoFunc => "nullfuncref".to_owned(),
                    AbsHeapType::NoExtern => "nullexternref".to_owned(),
                    AbsHeapType::NoExn => "nullexnref".to_owned(),
                    AbsHeapType::None => "nullref".to_owned(),
                    _ => format!("{name}ref"),
                };
                return short;
            }
            name.to_owned()
        }
        HeapType::Concrete(i) => i.to_string(),
        HeapType::Exact(i) => format!("(exact {i})"),
    };
    if r.nullable {
        format!("(ref null {heap})")
    } else {
        format!("(ref {heap})")
    }
}

fn abs_heap_name(a: AbsHeapType) -> &'static str {
    match a {
        AbsHeapType::Func => "func",
        AbsHeapType::NoFunc => "nofunc",
        AbsHeapType::Extern => "extern",
        AbsHeapType::NoExtern => "noextern",
        AbsHeapType::Any => "any",
        AbsHeapType::Eq => "eq",
        AbsHeapType::I31 => "i31",
        AbsHeapType::Struct => "struct",
        AbsHeapType::Array => "array",
        AbsHeapType::None => "none",
        AbsHeapType::Exn => "exn",
        AbsHeapType::NoExn => "noexn",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(parse_value("42", ValType::I32), Ok(Value::I32(42)));
        assert_eq!(parse_value("-1", ValType::I32), Ok(Value::I32(-1)));
        assert_eq!(parse_value("4294967295", ValType::I32), Ok(Value::I32(-1)));
        assert_eq!(parse_value("0xff", ValType::I32), Ok(Value::I32(255)));
        assert!(parse_value("4294967296", ValType::I32).is_err());
        assert!(parse_value("1.5", ValType::I32).is_err());
        assert!(parse_value("--1", ValType::I32).is_err());
        assert_eq!(
            parse_value("18446744073709551615", ValType::I64),
            Ok(Value::I64(-1))
        );
        assert_eq!(
            parse_value("-9223372036854775808", ValType::I64),
            Ok(Value::I64(i64::MIN))
        );
    }

    #[test]
    fn floats() {
        assert_eq!(parse_value("1.5", ValType::F64), Ok(Value::F64(1.5)));
        assert_eq!(parse_value("-0.25", ValType::F32), Ok(Value::F32(-0.25)));
        assert_eq!(
            parse_value("-inf", ValType::F64),
            Ok(Value::F64(f64::NEG_INFINITY))
        );
        let Ok(Value::F32(n)) = parse_value("nan:0x1", ValType::F32) else {
            panic!()
        };
        assert_eq!(n.to_bits(), 0x7f80_0001);
        assert_eq!(format_value(&Value::F32(n)), "nan:0x1");
        assert_eq!(format_value(&Value::F64(f64::NAN)), "nan");
        assert_eq!(format_value(&Value::F64(1e300)), "1e300");
        assert_eq!(format_value(&Value::F32(2.5)), "2.5");
        assert!(parse_value("x", ValType::F32).is_err());
    }

    #[test]
    fn references() {
        let funcref = ValType::Ref(RefType::FUNCREF);
        assert_eq!(parse_value("null", funcref), Ok(Value::FuncRef(None)));
        let externref = ValType::Ref(RefType::EXTERNREF);
        assert_eq!(parse_value("null", externref), Ok(Value::ExternRef(None)));
        assert!(parse_value("0", externref).is_err());
        assert_eq!(type_name(funcref), "funcref");
    }
}
