//! Bad input gets an error with line and column, never a panic (house rule
//! 5): random text made of each format's own characters, and real corpus
//! files cut short or with a byte changed, through every importer and, when
//! they parse, through every checker.

use std::path::Path;

use anarcho_checker::{CheckOptions, Format, check_with, import};
use proptest::prelude::*;

/// Text that looks like the formats: brackets, keywords, strings, numbers,
/// the etcd log's prefix and JSON punctuation.
fn lookalike() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("#{".to_string()),
        Just(":process 0, ".to_string()),
        Just(":type :invoke, ".to_string()),
        Just(":type :ok, ".to_string()),
        Just(":f :read ".to_string()),
        Just(":f :cas ".to_string()),
        Just(":value ".to_string()),
        Just("nil ".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just(";".to_string()),
        Just("\n".to_string()),
        Just("INFO  jepsen.util - 1\t:ok\t:read\t".to_string()),
        Just("{\"index\":0,\"time\":0,\"type\":\"invoke\",\"f\":\"get\"".to_string()),
        Just(",".to_string()),
        "-?[0-9]{1,25}",
        "[a-z:#é\\t ]{0,6}",
    ];
    prop::collection::vec(token, 0..60).prop_map(|t| t.concat())
}

fn run_everything(text: &str) {
    for format in Format::ALL {
        match import(format, text) {
            Ok(history) => {
                let _ = check_with(&history, &CheckOptions::default());
            }
            Err(e) => {
                assert!(e.line >= 1 && e.column >= 1, "{format}: {e}");
                assert!(!e.message.is_empty(), "{format}: {e}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_lookalike_text_never_panics(text in lookalike()) {
        run_everything(&text);
    }

    #[test]
    fn damaged_corpus_files_never_panic(
        file in prop::sample::select(vec![
            "porcupine/jepsen/etcd_000.log",
            "porcupine/kv/c01-ok.txt",
            "knossos/cas-register/bad/cas-failure.edn",
            "knossos/multi-register/good/multi-register.edn",
            "knossos/mutex/bad/etcd.edn",
        ]),
        cut in 0.0f64..1.0,
        flip in 0.0f64..1.0,
        byte in any::<u8>(),
    ) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(file);
        let mut bytes = std::fs::read(path).unwrap();
        bytes.truncate((bytes.len() as f64 * cut) as usize);
        if !bytes.is_empty() {
            let at = ((bytes.len() - 1) as f64 * flip) as usize;
            bytes[at] = byte;
        }
        // The CLI reads files as UTF-8 first; so do we.
        if let Ok(text) = String::from_utf8(bytes) {
            run_everything(&text);
        }
    }
}
