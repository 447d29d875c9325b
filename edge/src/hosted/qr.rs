//! The QR code of the hosted page's own URL, for a customer on a computer to finish on the
//! phone that gets the prompt: the `qrcode` crate (SVG output only, no image crates).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The side of the rendered code, CSS pixels.
pub const SIZE_PX: u32 = 176;

/// An SVG document of `url` as a QR code (error correction M), or `None` when the URL is too
/// long to encode.
pub fn svg(url: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(SIZE_PX, SIZE_PX)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_pay_url_as_an_svg() {
        let out = svg("https://lipa.example/pay/co_abcdefghijklmnopqrstuvwx?t=lk_abcdefghijklmnopqrstuvwxyz012345")
            .unwrap();
        assert!(out.contains("<svg"), "{out}");
        assert!(out.contains("#000000"));
        // The same URL always gives the same code.
        assert_eq!(Some(out), svg("https://lipa.example/pay/co_abcdefghijklmnopqrstuvwx?t=lk_abcdefghijklmnopqrstuvwxyz012345"));
        assert!(svg(&"x".repeat(5000)).is_none());
    }
}
