//! What one page's template may cost: a fuel budget (minijinja's count of
//! instructions executed and bytes created, which bounds both time and
//! memory) and a cap on the size of what it writes. A template that loops a
//! hundred thousand times inside a hundred thousand, or prints a 100 MB
//! string a hundred times, fails at the expression that went over instead
//! of running for minutes or exhausting memory.

use std::cell::Cell;
use std::io;

use minijinja::{Error, ErrorKind, Template, Value};

/// Fuel for one render: about this many template instructions, or 64 times
/// as many bytes of strings and output created. The largest page of a
/// 3,000-unit project (its year page) uses 0.8 million, a page of the
/// sample 5,000; a runaway loop uses it up in about a quarter of a second.
pub const FUEL: u64 = 5_000_000;

/// The largest page a template may write (a 3,000-unit year page is 12 MB).
pub const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;

/// The most Markdown a bulletin's template may write: as much as a content
/// file may hold, so the Markdown pass never sees more than it would from a
/// narrative.
pub const MAX_MARKDOWN_BYTES: usize = crate::load::MAX_FILE_BYTES as usize;

/// The start of the message of an output that grew too large, so its
/// diagnostic can add help.
pub const TOO_LARGE: &str = "the template's output grows past";

/// What the render running on this thread has written, and may write.
#[derive(Clone, Copy)]
struct Written {
    bytes: usize,
    cap: usize,
}

thread_local! {
    /// Set while [`render`] runs. The writer counts; the formatter, which
    /// runs inside the expression being printed, turns an overflow into an
    /// error located at that expression.
    static WRITTEN: Cell<Option<Written>> = const { Cell::new(None) };
}

/// Keeps the output up to the cap and only counts the rest. It never fails:
/// minijinja would report a write error without its place in the template.
struct CappedWriter {
    out: Vec<u8>,
    written: Written,
}

impl io::Write for CappedWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.written.bytes = self.written.bytes.saturating_add(bytes.len());
        if self.written.bytes <= self.written.cap {
            self.out.extend_from_slice(bytes);
        }
        WRITTEN.set(Some(self.written));
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Restores the counter of an enclosing render when this one ends, however
/// it ends.
struct Restore(Option<Written>);

impl Drop for Restore {
    fn drop(&mut self) {
        WRITTEN.set(self.0);
    }
}

fn too_large(cap: usize) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!("{TOO_LARGE} {} MiB", cap / 1024 / 1024),
    )
}

/// Called by the formatter before it writes `bytes` more (escaping only
/// adds to them), and with 0 after: fails once the output is past the cap.
pub fn check(bytes: usize) -> Result<(), Error> {
    match WRITTEN.get() {
        Some(w) if w.bytes.saturating_add(bytes) > w.cap => Err(too_large(w.cap)),
        _ => Ok(()),
    }
}

/// Render `template` within the budget: the environment's fuel (set to
/// [`FUEL`] by the theme) and at most `cap` bytes of output.
pub fn render(template: &Template<'_, '_>, ctx: Value, cap: usize) -> Result<String, Error> {
    let written = Written { bytes: 0, cap };
    let _restore = Restore(WRITTEN.replace(Some(written)));
    let mut writer = CappedWriter {
        out: Vec::new(),
        written,
    };
    template.render_captured_to(ctx, &mut writer)?;
    if writer.written.bytes > cap {
        // Only template text went over: a printed value would have failed
        // in the formatter, at its expression.
        return Err(too_large(cap));
    }
    String::from_utf8(writer.out)
        .map_err(|_| Error::new(ErrorKind::WriteFailure, "the output is not valid UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> minijinja::Environment<'static> {
        let mut env = minijinja::Environment::new();
        env.set_fuel(Some(FUEL));
        env.set_formatter(|out, state, value| {
            minijinja::escape_formatter(out, state, value)?;
            check(0)
        });
        env
    }

    fn run(source: &str, cap: usize) -> Result<String, Error> {
        let env = env();
        let template = env.template_from_str(source)?;
        render(&template, Value::UNDEFINED, cap)
    }

    #[test]
    fn small_templates_render() {
        assert_eq!(
            run("{% for i in range(3) %}{{ i }}{% endfor %}", 10).unwrap(),
            "012"
        );
    }

    #[test]
    fn runaway_loops_run_out_of_fuel_at_their_line() {
        let error = run(
            "a\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            MAX_PAGE_BYTES,
        )
        .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::OutOfFuel);
        assert_eq!(error.line(), Some(2));
    }

    #[test]
    fn huge_strings_are_refused_before_they_exist() {
        let error = run("{{ 'x' * 400000000 }}", MAX_PAGE_BYTES).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::OutOfFuel);
    }

    #[test]
    fn output_past_the_cap_fails_at_the_expression() {
        let error = run("ok\n{{ 'x' * 11 }}", 10).unwrap_err();
        assert!(error.detail().unwrap().starts_with(TOO_LARGE), "{error:?}");
        assert_eq!(error.line(), Some(2));
        // Template text alone: refused once the render ends.
        let error = run(&"y".repeat(11), 10).unwrap_err();
        assert!(error.detail().unwrap().starts_with(TOO_LARGE), "{error:?}");
        // The counter is gone after the render.
        assert!(check(usize::MAX).is_ok());
    }
}
