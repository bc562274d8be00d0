pub mod evidence;
pub mod python;
