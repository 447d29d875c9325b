//! Swahili.

use crate::{Country, FailureReason};

use super::{MoneyStyle, Text, VerifyText};

/// The widget in Swahili.
pub const TEXT: Text = Text {
    money: MoneyStyle {
        group: ",",
        decimal: '.',
        code_after: false,
    },
    country: |c| match c {
        Country::KE => "Kenya",
        Country::UG => "Uganda",
        Country::GH => "Ghana",
        Country::CI => "Côte d'Ivoire",
        Country::RW => "Rwanda",
        Country::LR => "Liberia",
    },

    loading: "Inapakia malipo salama…",
    link_incomplete_title: "Kiungo hiki cha malipo hakijakamilika",
    link_incomplete_body: "Fungua malipo tena kutoka ukurasa wa duka.",
    unavailable_title: "Malipo haya hayapatikani",

    pay: |amount| format!("Lipa {amount}"),
    choose_operator: "Chagua mtoa huduma wako wa pesa kwa simu",
    choose_operator_error: "Chagua mtoa huduma wako wa pesa kwa simu.",
    phone_label: "Namba ya pesa kwa simu",
    phone_example: |n| format!("Kwa mfano {n}"),
    phone_locked: "Namba iliyotolewa na duka",
    fee_included: |fee| format!("Inajumuisha ada ya pesa kwa simu ya {fee}"),
    secured: "Imelindwa na Lipa",

    phone_empty: "Weka namba yako ya pesa kwa simu.",
    phone_characters: "Tumia tarakimu pekee katika namba ya simu.",
    phone_wrong_country: |country, code| {
        format!("Namba hii si ya {country}: inapaswa kuanza na +{code}.")
    },
    phone_wrong_length: |country, n, code| {
        format!(
            "Namba ya simu ya {country} ina tarakimu {n} baada ya +{code} (au {} ikianza na 0).",
            n + 1
        )
    },
    phone_not_mobile: |country, code, prefixes| {
        format!("Hii si namba ya simu ya mkononi ya {country}: baada ya +{code} inapaswa kuanza na {prefixes}.")
    },
    or: " au ",

    pending_title: "Angalia simu yako",
    prompt_sent: |op| format!("Tumetuma ombi la {op} kwa "),
    enter_pin: ". Weka PIN yako kuidhinisha.",
    waiting: |m, s| format!("Inasubiri idhini · {m}:{s:02}"),
    no_prompt: "Hujapata ombi? Huenda limeisha muda kwenye simu yako.",
    use_another_number: "Tumia namba nyingine",
    prompt_valid: |m, s| format!("Ombi litadumu kwa {m}:{s:02}"),
    approved: "Nimeidhinisha",
    not_confirmed: "Mtoa huduma wako bado hajathibitisha. Tunaendelea kuangalia.",
    send_again: "Tuma ombi tena",
    ussd_help: |path| {
        format!("Hujapata ombi? Piga msimbo huu kisha ufungue {path} kuidhinisha malipo:")
    },
    cancel: "Ghairi",

    otp_title: |phone| format!("Weka msimbo uliotumwa kwa {phone}"),
    otp_body: |op| {
        format!(
            "{op} imekutumia msimbo wa mara moja kwa SMS. Msimbo huu unathibitisha malipo haya."
        )
    },
    otp_label: "Msimbo wa mara moja",
    otp_format: "Msimbo una tarakimu 4 hadi 8, kama ulivyotumwa kwenye simu yako.",
    otp_confirm: "Thibitisha msimbo",
    otp_wrong: |n| {
        if n == 1 {
            "Msimbo huo si sahihi. Umebakiwa na jaribio 1.".to_string()
        } else {
            format!("Msimbo huo si sahihi. Umebakiwa na majaribio {n}.")
        }
    },

    redirect_title: |op| format!("Maliza kwenye ukurasa wa {op}"),
    redirect_body: |op| {
        format!("{op} inahitaji uthibitishe malipo haya kwenye ukurasa wake. Utafunguka kwenye kichupo kipya; rudi hapa ukimaliza.")
    },
    redirect_continue: |op| format!("Endelea kwa {op}"),
    redirect_waiting: "Tunasubiri umalize kwenye ukurasa wa mtoa huduma…",

    success_title: "Malipo yamefanikiwa",
    success_body: |amount, op, phone| format!("{amount} zimelipwa kwa {op} kutoka {phone}."),
    done: "Sawa",

    failed_title: "Malipo hayakufanikiwa",
    expired_title: "Muda wa malipo umeisha",
    expired_body:
        "Ombi liliisha muda kabla ya kuidhinishwa. Salio lako likipungua, wasiliana na duka.",
    failure: |r| match r {
        FailureReason::WrongPin => "PIN uliyoweka si sahihi. Hakuna pesa iliyokatwa.",
        FailureReason::InsufficientFunds => {
            "Hakuna pesa za kutosha kwenye akaunti hii ya pesa kwa simu."
        }
        FailureReason::TimedOut => "Ombi kwenye simu yako liliisha muda kabla ya kuidhinishwa.",
        FailureReason::Cancelled => "Malipo yalikataliwa kwenye simu.",
        FailureReason::LimitReached => {
            "Malipo haya yanazidi kikomo cha akaunti yako ya pesa kwa simu."
        }
        FailureReason::NotRegistered => "Namba hii haina akaunti ya pesa kwa simu.",
        FailureReason::Declined => "Mtoa huduma wako wa pesa kwa simu amekataa malipo.",
        FailureReason::ProviderError => {
            "Huduma ya pesa kwa simu imepata tatizo. Hakuna pesa iliyokatwa."
        }
    },
    try_again: "Jaribu tena",
    close: "Funga",

    network_error: "Hatukuweza kufikia Lipa. Angalia mtandao wako kisha ujaribu tena.",
    unexpected_answer: "Lipa imejibu kitu kisichotarajiwa. Tafadhali jaribu tena.",
    refusal: |code| {
        Some(match code {
            "payment_in_progress" => {
                "Malipo mengine tayari yanasubiri idhini kwa ununuzi huu. Angalia simu yako."
            }
            "checkout_closed" => "Ununuzi huu tayari umelipwa au hauwezi kulipwa tena.",
            "too_many_prompts" => {
                "Maombi mengi ya malipo yametumwa hivi punde. Subiri dakika chache kisha ujaribu tena."
            }
            "provider_unavailable" => {
                "Huduma ya pesa kwa simu haijibu kwa sasa. Tafadhali jaribu tena."
            }
            "provider_refused" => "Huduma ya pesa kwa simu imekataa malipo haya.",
            "otp_incorrect" => "Msimbo huo si sahihi. Angalia SMS kisha ujaribu tena.",
            "otp_attempts_exhausted" => "Misimbo mingi isiyo sahihi. Anza malipo upya.",
            "not_awaiting_otp" => "Malipo haya hayasubiri msimbo tena.",
            "not_found" => "Ununuzi huu haukupatikana. Ufungue tena kutoka dukani.",
            "invalid_field" => "Angalia taarifa ulizoweka kisha ujaribu tena.",
            "internal" => "Kuna hitilafu upande wetu. Angalia simu yako kabla ya kujaribu tena.",
            _ => return None,
        })
    },
    something_wrong: "Kuna hitilafu. Tafadhali jaribu tena.",
    link_expired_title: "Kiungo hiki cha malipo kimeisha muda",
    link_expired_body: |at| format!("Kilitumika hadi {at}. Omba dukani kiungo kipya cha malipo."),
    cancel_return: |shop| format!("Ghairi na urudi {shop}"),
    return_to: |shop| format!("Rudi {shop}"),
    qr_title: "Lipa kwa simu yako",
    qr_body: "Uko kwenye kompyuta? Changanua msimbo huu kwa simu itakayopokea ombi la malipo.",
    qr_alt: "Msimbo wa QR wa ukurasa huu wa malipo",
    refresh: "Angalia tena",
    stop_refresh: "Acha kuonyesha upya",
    verify: &VERIFY,
};

/// The phone-verification screen in Swahili.
const VERIFY: VerifyText = VerifyText {
    title: "Thibitisha namba yako",
    sent: |phone| {
        format!(
            "Tumetuma msimbo wa tarakimu 6 kwa SMS kwenda {phone}. Uweke ili uendelee na malipo."
        )
    },
    label: "Msimbo kutoka kwenye SMS",
    format: "Msimbo ni tarakimu 6 zilizo kwenye SMS.",
    submit: "Thibitisha namba",
    resend: "Tuma msimbo mpya",
    resent: "Msimbo mpya unakuja.",
    wrong: |n| {
        if n == 1 {
            "Msimbo huo si sahihi. Imebaki jaribio 1.".to_string()
        } else {
            format!("Msimbo huo si sahihi. Yamebaki majaribio {n}.")
        }
    },
    exhausted: "Misimbo mingi isiyo sahihi. Tuma msimbo mpya.",
    expired: "Msimbo huu umeisha muda. Tuma msimbo mpya.",
    too_many: "Misimbo mingi imetumwa kwa namba hii. Subiri dakika chache au tumia namba nyingine.",
    not_verified: "Kwanza thibitisha namba hii kwa msimbo tunaotuma kwa SMS.",
};
