//! Fields a maintainer pinned: a re-import keeps their values. The merge is typed, field by
//! field, so every value stays what it was (no trip through a serde form, where a skipped
//! empty list came back as `null`).

use serde::Serialize;

use crate::spec::{HuaweiOperation, TencentAction};

/// A spec item whose fields `pinned` may name.
pub trait Pinnable {
    /// The fields that can be pinned (what validation accepts in `pinned`).
    const PINNABLE: &'static [&'static str];

    /// Sets `field` to its value in `old`; returns the value it had (as JSON) when that
    /// differed. A name not in [`Pinnable::PINNABLE`] changes nothing.
    fn keep_field(&mut self, old: &Self, field: &str) -> Option<String>;

    /// Records which fields are pinned.
    fn set_pinned(&mut self, pinned: &[String]);
}

/// Sets `new` to `old`, returning `new` as JSON if it differed.
fn keep<T: Clone + PartialEq + Serialize>(new: &mut T, old: &T) -> Option<String> {
    if new == old {
        return None;
    }
    let imported = serde_json::to_string(new).expect("spec fields serialise");
    *new = old.clone();
    Some(imported)
}

macro_rules! pinnable {
    ($item:ty { $($field:ident),+ $(,)? }) => {
        impl Pinnable for $item {
            const PINNABLE: &'static [&'static str] = &[$(stringify!($field)),+];

            fn keep_field(&mut self, old: &Self, field: &str) -> Option<String> {
                match field {
                    $(stringify!($field) => keep(&mut self.$field, &old.$field),)+
                    _ => None,
                }
            }

            fn set_pinned(&mut self, pinned: &[String]) {
                self.pinned = pinned.to_vec();
            }
        }
    };
}

pinnable!(TencentAction {
    rust_name,
    title,
    category,
    cam_class,
    granularity,
    resource,
    ip_restriction,
    qps,
    pagination,
});

pinnable!(HuaweiOperation {
    name,
    rust_name,
    scenario,
    sub_scenario,
    description,
    permissions,
    console_path,
    params,
    response,
    pagination,
});

/// Copies the fields named in `pinned` from `old` into `new`, so hand-set values survive
/// a re-import. Returns the merged item and, for each pinned field the import would have
/// changed, `(field, imported value as JSON)`.
pub fn keep_pinned<T: Pinnable>(
    old: &T,
    mut new: T,
    pinned: &[String],
) -> (T, Vec<(String, String)>) {
    if pinned.is_empty() {
        return (new, Vec::new());
    }
    let overridden = pinned
        .iter()
        .filter_map(|field| Some((field.clone(), new.keep_field(old, field)?)))
        .collect();
    new.set_pinned(pinned);
    (new, overridden)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{HttpMethod, HuaweiParam, ParamLocation, Primitive, TypeRef};

    fn operation(params: Vec<HuaweiParam>, pinned: &[&str]) -> HuaweiOperation {
        HuaweiOperation {
            name: "ShowThing".into(),
            rust_name: None,
            method: HttpMethod::Get,
            path: "/v2/things".into(),
            path_params: Vec::new(),
            scenario: "S".into(),
            sub_scenario: None,
            description: "D".into(),
            permissions: vec!["P_1".into()],
            console_path: None,
            params,
            response: Some("ShowThingResponse".into()),
            pagination: None,
            pinned: pinned.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    /// A maintainer pins `params` empty (the SDK adds a parameter the API does not take):
    /// the re-import keeps the empty list.
    #[test]
    fn an_empty_pinned_list_is_kept() {
        let old = operation(Vec::new(), &["params"]);
        let limit = HuaweiParam {
            name: "limit".into(),
            wire_name: "limit".into(),
            location: ParamLocation::Query,
            ty: TypeRef::Primitive(Primitive::Int64),
            required: false,
            from_credentials: false,
        };
        let new = operation(vec![limit], &[]);
        let (kept, overridden) = keep_pinned(&old, new, &old.pinned);
        assert!(kept.params.is_empty());
        assert_eq!(kept.pinned, ["params"]);
        assert_eq!(overridden.len(), 1);
        assert_eq!(overridden[0].0, "params");
    }
}
