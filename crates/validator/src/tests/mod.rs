mod features;
mod func;
mod module;
mod types;

/// The env and the validator are shareable across threads.
#[test]
fn module_env_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<crate::ModuleEnv>();
    assert_send_sync::<std::sync::Arc<crate::ModuleEnv>>();
    assert_send_sync::<crate::ModuleValidator>();
    assert_send_sync::<crate::Error>();
}
