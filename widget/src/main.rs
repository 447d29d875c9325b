//! Mounts the widget into the page's `#lipa` element.

use leptos::prelude::*;
use lipa_widget::Widget;
use wasm_bindgen::JsCast;

fn main() {
    // Panic messages in the console are for development; the release bundle saves the
    // formatting code they need (the widget has no unwrap or expect to panic on).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let Some(root) = document()
        .get_element_by_id("lipa")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    root.set_inner_html("");
    leptos::mount::mount_to(root, Widget).forget();
}
