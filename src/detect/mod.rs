pub mod evidence;
pub mod python;
pub mod deps;
