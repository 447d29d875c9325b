//! The merchant's look: `Lipa.open({ appearance: { theme, variables } })`, with the variable
//! names of Stripe's appearance API (`colorPrimary`, `colorBackground`, `colorText`,
//! `colorDanger`, `borderRadius`, `fontFamily`). Every value is checked here before it
//! reaches the page: colours must be `#rgb` / `#rrggbb`, and a pair that would fall below
//! WCAG AA contrast (4.5:1 for text) is refused with a console warning that names it. The
//! Pay button's text is black or white, whichever reads better on `colorPrimary`.

/// WCAG AA's minimum contrast for body text.
pub const AA_TEXT: f64 = 4.5;

/// What the merchant asked for, as passed by the loader.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requested {
    /// `light`, `dark` or `auto`.
    pub theme: Option<String>,
    /// The variables.
    pub variables: Option<Variables>,
}

/// The appearance variables, by their Stripe names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables {
    /// The Pay button and selection colour.
    pub color_primary: Option<String>,
    /// The page.
    pub color_background: Option<String>,
    /// Text.
    pub color_text: Option<String>,
    /// Errors.
    pub color_danger: Option<String>,
    /// Corner radius, e.g. `8px`.
    pub border_radius: Option<String>,
    /// A CSS font family list.
    pub font_family: Option<String>,
}

crate::from_js_struct!(Requested { theme, variables });

crate::from_js_struct!(Variables {
    color_primary: "colorPrimary",
    color_background: "colorBackground",
    color_text: "colorText",
    color_danger: "colorDanger",
    border_radius: "borderRadius",
    font_family: "fontFamily",
});

/// Light, dark, or as the customer's system says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Light (the default).
    #[default]
    Light,
    /// Dark.
    Dark,
    /// `prefers-color-scheme` decides.
    Auto,
}

impl Theme {
    /// The value of `<html data-theme>`.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }
}

/// What the widget applies: the theme, CSS custom properties, and why anything was refused.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Appearance {
    /// The theme.
    pub theme: Theme,
    /// `(custom property, value)` pairs for `:root`.
    pub properties: Vec<(&'static str, String)>,
    /// One sentence per refused value, for the console.
    pub warnings: Vec<String>,
}

/// A colour as red, green and blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Parses `#rgb` or `#rrggbb`.
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.trim().strip_prefix('#')?;
        let digit = |i: usize, len: usize| {
            let part = hex.get(i..i + len)?;
            let v = u8::from_str_radix(part, 16).ok()?;
            Some(if len == 1 { v * 17 } else { v })
        };
        match hex.len() {
            3 => Some(Rgb(digit(0, 1)?, digit(1, 1)?, digit(2, 1)?)),
            6 => Some(Rgb(digit(0, 2)?, digit(2, 2)?, digit(4, 2)?)),
            _ => None,
        }
    }

    /// WCAG relative luminance.
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                pow((c + 0.055) / 1.055, 2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// WCAG contrast ratio against `other` (1 to 21).
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (hi, lo) = if a > b { (a, b) } else { (b, a) };
        (hi + 0.05) / (lo + 0.05)
    }

    fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// `x` to the power `y`: in the browser its own `Math.pow` (the widget then ships no `pow` of
/// its own, 1.4 KB of wasm), elsewhere (the tests) Rust's. Both are the C library's algorithm,
/// equal to the last bit or one apart.
fn pow(x: f64, y: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Math::pow(x, y);
    #[cfg(not(target_arch = "wasm32"))]
    return x.powf(y);
}

const WHITE: Rgb = Rgb(255, 255, 255);
const INK: Rgb = Rgb(0x11, 0x18, 0x27);

/// The backgrounds and text colours a theme may show, to check merchant colours against.
fn theme_palettes(theme: Theme) -> &'static [(Rgb, Rgb)] {
    const LIGHT: (Rgb, Rgb) = (WHITE, INK);
    const DARK: (Rgb, Rgb) = (INK, Rgb(0xf9, 0xfa, 0xfb));
    match theme {
        Theme::Light => &[LIGHT],
        Theme::Dark => &[DARK],
        Theme::Auto => &[LIGHT, DARK],
    }
}

/// One decimal, for warnings.
fn ratio(r: f64) -> String {
    let tenths = (r * 10.0).floor() as i64;
    format!("{}.{}:1", tenths / 10, tenths % 10)
}

/// Checks the merchant's request and turns it into what the widget applies.
pub fn resolve(requested: &Requested) -> Appearance {
    let mut warnings = Vec::new();
    let theme = match requested.theme.as_deref().map(str::trim) {
        None | Some("light") => Theme::Light,
        Some("dark") => Theme::Dark,
        Some("auto") => Theme::Auto,
        Some(other) => {
            warnings.push(format!(
                "Lipa appearance: theme \"{other}\" is not light, dark or auto; using light"
            ));
            Theme::Light
        }
    };
    let mut out = Appearance {
        theme,
        properties: Vec::new(),
        warnings,
    };
    let Some(v) = &requested.variables else {
        return out;
    };
    let colour = |name: &str, value: &Option<String>, warnings: &mut Vec<String>| {
        let text = value.as_deref()?;
        let parsed = Rgb::parse(text);
        if parsed.is_none() {
            warnings.push(format!(
                "Lipa appearance: {name} \"{text}\" is not a #rgb or #rrggbb colour; ignored"
            ));
        }
        parsed
    };
    let mut warnings = Vec::new();
    let text = colour("colorText", &v.color_text, &mut warnings);
    let background = colour("colorBackground", &v.color_background, &mut warnings);
    let primary = colour("colorPrimary", &v.color_primary, &mut warnings);
    let danger = colour("colorDanger", &v.color_danger, &mut warnings);
    out.warnings.append(&mut warnings);

    // Text on the background: the theme's own colour stands in for the one not given.
    let mut pages: Vec<(Rgb, Rgb)> = theme_palettes(out.theme).to_vec();
    if text.is_some() || background.is_some() {
        let pairs: Vec<(Rgb, Rgb)> = pages
            .iter()
            .map(|(bg, ink)| (background.unwrap_or(*bg), text.unwrap_or(*ink)))
            .collect();
        match pairs.iter().find(|(bg, ink)| ink.contrast(*bg) < AA_TEXT) {
            Some((bg, ink)) => out.warnings.push(format!(
                "Lipa appearance: colorText {} on colorBackground {} has a contrast of {}, below WCAG AA's 4.5:1; both ignored",
                ink.css(),
                bg.css(),
                ratio(ink.contrast(*bg))
            )),
            None => {
                pages = pairs;
                if let Some(ink) = text {
                    out.properties.push(("--ink", ink.css()));
                    out.properties.push(("--muted", ink.css()));
                }
                if let Some(bg) = background {
                    for property in ["--bg", "--soft", "--selected"] {
                        out.properties.push((property, bg.css()));
                    }
                }
            }
        }
    }
    if let Some(brand) = primary {
        let ink = if WHITE.contrast(brand) >= INK.contrast(brand) {
            WHITE
        } else {
            INK
        };
        if ink.contrast(brand) < AA_TEXT {
            out.warnings.push(format!(
                "Lipa appearance: colorPrimary {} leaves the Pay button's text at a contrast of {} at best, below WCAG AA's 4.5:1; ignored",
                brand.css(),
                ratio(ink.contrast(brand))
            ));
        } else {
            out.properties.push(("--brand", brand.css()));
            out.properties.push(("--brand-ink", ink.css()));
        }
    }
    if let Some(error) = danger {
        match pages.iter().find(|(bg, _)| error.contrast(*bg) < AA_TEXT) {
            Some((bg, _)) => out.warnings.push(format!(
                "Lipa appearance: colorDanger {} on the background {} has a contrast of {}, below WCAG AA's 4.5:1; ignored",
                error.css(),
                bg.css(),
                ratio(error.contrast(*bg))
            )),
            None => out.properties.push(("--error", error.css())),
        }
    }
    if let Some(radius) = v.border_radius.as_deref() {
        let px = radius
            .trim()
            .strip_suffix("px")
            .and_then(|n| n.trim().parse::<u8>().ok())
            .filter(|n| *n <= 32);
        match px {
            Some(n) => out.properties.push(("--radius", format!("{n}px"))),
            None => out.warnings.push(format!(
                "Lipa appearance: borderRadius \"{radius}\" is not 0px to 32px; ignored"
            )),
        }
    }
    if let Some(font) = v.font_family.as_deref() {
        let safe = !font.trim().is_empty()
            && font.len() <= 200
            && font
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " ,'\"-_.".contains(c));
        if safe {
            out.properties.push(("--font", font.trim().to_string()));
        } else {
            out.warnings.push(format!(
                "Lipa appearance: fontFamily \"{font}\" is not a plain list of font names; ignored"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(v: Variables) -> Requested {
        Requested {
            theme: None,
            variables: Some(v),
        }
    }

    fn property<'a>(a: &'a Appearance, name: &str) -> Option<&'a str> {
        a.properties
            .iter()
            .find(|(p, _)| *p == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn contrast_is_computed_as_wcag_defines_it() {
        assert!((WHITE.contrast(Rgb(0, 0, 0)) - 21.0).abs() < 0.01);
        // The old M-Pesa badge: white on #16a34a.
        let old = WHITE.contrast(Rgb::parse("#16a34a").unwrap());
        assert!((old - 3.30).abs() < 0.02, "{old}");
        assert_eq!(Rgb::parse("#abc"), Some(Rgb(0xaa, 0xbb, 0xcc)));
        assert_eq!(Rgb::parse("red"), None);
        assert_eq!(Rgb::parse("#12345"), None);
    }

    #[test]
    fn a_readable_look_is_applied_and_the_button_text_follows_the_primary() {
        let a = resolve(&with(Variables {
            color_primary: Some("#5b21b6".into()),
            color_background: Some("#fffbeb".into()),
            color_text: Some("#1c1917".into()),
            color_danger: Some("#991b1b".into()),
            border_radius: Some("4px".into()),
            font_family: Some("\"Inter\", sans-serif".into()),
        }));
        assert_eq!(a.warnings, Vec::<String>::new());
        assert_eq!(property(&a, "--brand"), Some("#5b21b6"));
        assert_eq!(property(&a, "--brand-ink"), Some("#ffffff"));
        assert_eq!(property(&a, "--bg"), Some("#fffbeb"));
        assert_eq!(property(&a, "--radius"), Some("4px"));
        let light = resolve(&with(Variables {
            color_primary: Some("#fde047".into()),
            ..Variables::default()
        }));
        assert_eq!(property(&light, "--brand-ink"), Some("#111827"));
    }

    #[test]
    fn pairs_below_aa_are_refused_with_a_warning_that_names_them() {
        let a = resolve(&with(Variables {
            color_text: Some("#999999".into()),
            color_background: Some("#ffffff".into()),
            // White reads at 4.48:1 on it and dark ink worse: neither reaches 4.5.
            color_primary: Some("#777777".into()),
            color_danger: Some("#ff9999".into()),
            border_radius: Some("1em".into()),
            font_family: Some("x;}body{display:none".into()),
        }));
        assert!(a.properties.is_empty(), "{:?}", a.properties);
        let all = a.warnings.join("\n");
        for named in [
            "colorText #999999 on colorBackground #ffffff has a contrast of 2.8:1",
            "colorPrimary #777777",
            "colorDanger #ff9999",
            "borderRadius",
            "fontFamily",
        ] {
            assert!(all.contains(named), "{named} missing in:\n{all}");
        }
    }

    #[test]
    fn auto_checks_both_themes_and_unknown_themes_fall_back_to_light() {
        let a = resolve(&Requested {
            theme: Some("auto".into()),
            variables: Some(Variables {
                color_text: Some("#111111".into()),
                ..Variables::default()
            }),
        });
        assert_eq!(a.theme, Theme::Auto);
        assert_eq!(
            a.warnings.len(),
            1,
            "dark text on the dark theme: {:?}",
            a.warnings
        );
        let b = resolve(&Requested {
            theme: Some("neon".into()),
            variables: None,
        });
        assert_eq!(b.theme, Theme::Light);
        assert!(b.warnings[0].contains("neon"));
    }
}
