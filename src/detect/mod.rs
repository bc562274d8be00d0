pub mod evidence;
pub mod python;
pub mod deps;
pub mod layout;
pub mod settings;
pub mod native;
pub mod pyversion;
