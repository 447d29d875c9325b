//! French.

use crate::{Country, FailureReason};

use super::{MoneyStyle, Text, VerifyText};

/// The widget in French.
pub const TEXT: Text = Text {
    money: MoneyStyle {
        group: "\u{202f}",
        decimal: ',',
        code_after: true,
    },
    country: |c| match c {
        Country::KE => "Kenya",
        Country::UG => "Ouganda",
        Country::GH => "Ghana",
        Country::CI => "Côte d'Ivoire",
        Country::RW => "Rwanda",
        Country::LR => "Liberia",
    },

    loading: "Chargement du paiement sécurisé…",
    link_incomplete_title: "Ce lien de paiement est incomplet",
    link_incomplete_body: "Rouvrez le paiement depuis la page de la boutique.",
    unavailable_title: "Ce paiement n'est pas disponible",

    pay: |amount| format!("Payer {amount}"),
    choose_operator: "Choisissez votre opérateur de mobile money",
    choose_operator_error: "Choisissez votre opérateur de mobile money.",
    phone_label: "Numéro mobile money",
    phone_example: |n| format!("Par exemple {n}"),
    phone_locked: "Numéro indiqué par la boutique",
    fee_included: |fee| format!("Dont {fee} de frais mobile money"),
    secured: "Sécurisé par Lipa",

    phone_empty: "Saisissez votre numéro mobile money.",
    phone_characters: "Utilisez uniquement des chiffres dans le numéro.",
    phone_wrong_country: |country, code| {
        format!("Ce numéro n'est pas un numéro de {country} : il doit commencer par +{code}.")
    },
    phone_wrong_length: |country, n, code| {
        format!(
            "Un numéro mobile ({country}) compte {n} chiffres après +{code} (ou {} en commençant par 0).",
            n + 1
        )
    },
    phone_not_mobile: |country, code, prefixes| {
        format!("Ce n'est pas un numéro mobile ({country}) : après +{code}, il doit commencer par {prefixes}.")
    },
    or: " ou ",

    pending_title: "Vérifiez votre téléphone",
    prompt_sent: |op| format!("Nous avons envoyé une demande {op} au "),
    enter_pin: ". Saisissez votre code PIN pour valider.",
    waiting: |m, s| format!("En attente de validation · {m}:{s:02}"),
    no_prompt: "Pas de demande ? Elle a peut-être expiré sur votre téléphone.",
    use_another_number: "Utiliser un autre numéro",
    prompt_valid: |m, s| format!("La demande reste valable {m}:{s:02}"),
    approved: "J'ai validé",
    not_confirmed: "Votre opérateur ne l'a pas encore confirmé. Nous continuons de vérifier.",
    send_again: "Renvoyer la demande",
    ussd_help: |path| {
        format!("Pas de demande ? Composez ce code et ouvrez {path} pour valider le paiement :")
    },
    cancel: "Annuler",

    otp_title: |phone| format!("Saisissez le code envoyé au {phone}"),
    otp_body: |op| {
        format!("{op} vous a envoyé un code à usage unique par SMS. Il confirme ce paiement.")
    },
    otp_label: "Code à usage unique",
    otp_format: "Le code compte 4 à 8 chiffres, tel que reçu sur votre téléphone.",
    otp_confirm: "Confirmer le code",
    otp_wrong: |n| {
        if n == 1 {
            "Ce code n'est pas le bon. Il reste 1 essai.".to_string()
        } else {
            format!("Ce code n'est pas le bon. Il reste {n} essais.")
        }
    },

    redirect_title: |op| format!("Terminez sur la page {op}"),
    redirect_body: |op| {
        format!("{op} vous demande de confirmer ce paiement sur sa propre page. Elle s'ouvre dans un nouvel onglet ; revenez ici une fois terminé.")
    },
    redirect_continue: |op| format!("Continuer vers {op}"),
    redirect_waiting: "Nous attendons que vous terminiez sur la page de l'opérateur…",

    success_title: "Paiement réussi",
    success_body: |amount, op, phone| format!("{amount} payés avec {op} depuis le {phone}."),
    done: "Terminé",

    failed_title: "Paiement échoué",
    expired_title: "Paiement expiré",
    expired_body:
        "La demande a expiré avant d'être validée. Si votre solde a baissé, contactez la boutique.",
    failure: |r| match r {
        FailureReason::WrongPin => "Le code PIN saisi était erroné. Aucun montant n'a été débité.",
        FailureReason::InsufficientFunds => "Le solde de ce compte mobile money est insuffisant.",
        FailureReason::TimedOut => "La demande a expiré sur votre téléphone avant d'être validée.",
        FailureReason::Cancelled => "Le paiement a été refusé sur le téléphone.",
        FailureReason::LimitReached => {
            "Ce paiement dépasse la limite de votre compte mobile money."
        }
        FailureReason::NotRegistered => "Ce numéro n'a pas de compte mobile money.",
        FailureReason::Declined => "Votre opérateur de mobile money a refusé le paiement.",
        FailureReason::ProviderError => {
            "Le service mobile money a rencontré un problème. Aucun montant n'a été débité."
        }
    },
    try_again: "Réessayer",
    close: "Fermer",

    network_error: "Impossible de joindre Lipa. Vérifiez votre connexion et réessayez.",
    unexpected_answer: "Lipa a répondu de façon inattendue. Veuillez réessayer.",
    refusal: |code| {
        Some(match code {
            "payment_in_progress" => {
                "Un paiement attend déjà une validation pour cet achat. Vérifiez votre téléphone."
            }
            "checkout_closed" => "Cet achat est déjà payé ou ne peut plus être payé.",
            "too_many_prompts" => {
                "Trop de demandes de paiement viennent d'être envoyées. Patientez quelques minutes puis réessayez."
            }
            "provider_unavailable" => {
                "Le service mobile money ne répond pas pour le moment. Veuillez réessayer."
            }
            "provider_refused" => "Le service mobile money a refusé ce paiement.",
            "otp_incorrect" => "Ce code n'est pas le bon. Vérifiez le SMS et réessayez.",
            "otp_attempts_exhausted" => "Trop de codes erronés. Recommencez le paiement.",
            "not_awaiting_otp" => "Ce paiement n'attend plus de code.",
            "not_found" => "Cet achat est introuvable. Rouvrez-le depuis la boutique.",
            "invalid_field" => "Vérifiez les informations saisies et réessayez.",
            "internal" => "Une erreur est survenue chez nous. Vérifiez votre téléphone avant de réessayer.",
            _ => return None,
        })
    },
    something_wrong: "Une erreur est survenue. Veuillez réessayer.",
    link_expired_title: "Ce lien de paiement a expiré",
    link_expired_body: |at| {
        format!(
            "Il était valable jusqu'au {at}. Demandez un nouveau lien de paiement à la boutique."
        )
    },
    cancel_return: |shop| format!("Annuler et revenir à {shop}"),
    return_to: |shop| format!("Revenir à {shop}"),
    qr_title: "Payer sur votre téléphone",
    qr_body:
        "Sur un ordinateur ? Scannez ce code avec le téléphone qui recevra la demande de paiement.",
    qr_alt: "QR code de cette page de paiement",
    refresh: "Vérifier à nouveau",
    stop_refresh: "Arrêter l'actualisation",
    verify: &VERIFY,
};

/// The phone-verification screen in French.
const VERIFY: VerifyText = VerifyText {
    title: "Confirmez votre numéro",
    sent: |phone| format!("Nous avons envoyé un code à 6 chiffres par SMS au {phone}. Saisissez-le pour passer au paiement."),
    label: "Code reçu par SMS",
    format: "Le code est composé des 6 chiffres du SMS.",
    submit: "Confirmer le numéro",
    resend: "Envoyer un nouveau code",
    resent: "Un nouveau code est en route.",
    wrong: |n| {
        if n == 1 {
            "Ce code n'est pas le bon. Il reste 1 essai.".to_string()
        } else {
            format!("Ce code n'est pas le bon. Il reste {n} essais.")
        }
    },
    exhausted: "Trop de codes erronés. Demandez un nouveau code.",
    expired: "Ce code a expiré. Demandez un nouveau code.",
    too_many: "Trop de codes ont été envoyés à ce numéro. Patientez quelques minutes ou utilisez un autre numéro.",
    not_verified: "Confirmez d'abord ce numéro avec le code envoyé par SMS.",
};
