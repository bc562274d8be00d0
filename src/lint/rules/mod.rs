//! The rules, one a file. Add a rule: write its file and list it in `ALL`.

use super::Rule;

mod base_image_untagged;
mod copy_before_install;
mod debug_on;
mod dockerignore_incomplete;
mod env_file_in_image;
mod migrate_at_build;
mod no_dockerignore;
mod obsolete_compose_version;
mod packages_left_behind;
mod runs_as_root;
mod runserver_in_production;
mod secret_in_env;

pub const ALL: &[&Rule] = &[
    &runserver_in_production::RULE,
    &runs_as_root::RULE,
    &copy_before_install::RULE,
    &env_file_in_image::RULE,
    &migrate_at_build::RULE,
    &secret_in_env::RULE,
    &debug_on::RULE,
    &packages_left_behind::RULE,
    &no_dockerignore::RULE,
    &base_image_untagged::RULE,
    &dockerignore_incomplete::RULE,
    &obsolete_compose_version::RULE,
];

/// Look a rule up by code or name.
pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(id) || r.name == id)
}
