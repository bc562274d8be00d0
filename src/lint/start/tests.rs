use super::*;

#[test]
fn paths() {
    assert_eq!(join("", "./a/b").as_deref(), Some("a/b"));
    assert_eq!(
        join("docker/compose", "../../.env").as_deref(),
        Some(".env")
    );
    assert_eq!(join("", "../x"), None);
    assert_eq!(join("", "/abs"), None);
    assert_eq!(join_abs("/app", "./start.sh"), "/app/start.sh");
    assert_eq!(join_abs("/app", "/entrypoint"), "/entrypoint");
    assert_eq!(below("/app/x/y", "/app"), Some("x/y"));
    assert_eq!(below("/etc/x", "/"), Some("etc/x"));
    assert_eq!(below("/appx", "/app"), None);
    assert!(is_script_name("compose/production/django/entrypoint"));
    assert!(is_script_name("start.sh"));
    assert!(!is_script_name("manage.py"));
}

#[test]
fn waits_are_found_and_their_hosts_read() {
    let hosts = |t: &str| waits(t).into_iter().map(|w| w.host).collect::<Vec<_>>();
    assert_eq!(
        hosts("until psql $DATABASE_URL -c '\\q'; do\n  sleep 1\ndone\nexec \"$@\"\n"),
        vec![None]
    );
    assert_eq!(
        hosts("sh -c 'until pg_isready -h db; do sleep 1; done; gunicorn x'"),
        vec![Some("db".into())]
    );
    assert_eq!(
        hosts("while ! nc -z db 5432; do sleep 1; done"),
        vec![Some("db".into())]
    );
    assert_eq!(
        hosts("while !</dev/tcp/db/5432; do sleep 1; done"),
        vec![Some("db".into())]
    );
    assert_eq!(
        hosts("wait-for-it \"${POSTGRES_HOST}:${POSTGRES_PORT}\" -t 30"),
        vec![None]
    );
    assert_eq!(
        hosts("/wait-for-it.sh db:5432 -- gunicorn x"),
        vec![Some("db".into())]
    );
    assert_eq!(
        hosts("dockerize -wait tcp://db:5432 -timeout 30s gunicorn"),
        vec![Some("db".into())]
    );
    assert_eq!(
        hosts("python manage.py wait_for_db && gunicorn x"),
        vec![None]
    );
    assert_eq!(hosts("./wait-for-postgres.sh && gunicorn x"), vec![None]);
    // A probe outside a loop does not wait; nor does an unrelated loop.
    assert!(waits("pg_isready -h db\nexec gunicorn x").is_empty());
    assert!(waits("for f in *.txt; do cat $f; done\nexec gunicorn x").is_empty());
    assert!(waits("exec gunicorn --bind 0.0.0.0:8000 x.wsgi").is_empty());
}

#[test]
fn privilege_drops() {
    assert_eq!(drops_to("exec gosu app gunicorn x").as_deref(), Some("app"));
    assert_eq!(
        drops_to("exec su-exec django:django \"$@\"").as_deref(),
        Some("django")
    );
    assert_eq!(
        drops_to("exec s6-setuidgid paperless granian x").as_deref(),
        Some("paperless")
    );
    assert_eq!(
        drops_to("exec setpriv --reuid=1000 --regid=1000 --init-groups gunicorn").as_deref(),
        Some("1000")
    );
    assert_eq!(
        drops_to("exec runuser -u www -- gunicorn").as_deref(),
        Some("www")
    );
    assert_eq!(
        drops_to("exec chpst -u app:app gunicorn").as_deref(),
        Some("app")
    );
    assert_eq!(drops_to("su app -c 'gunicorn x'").as_deref(), Some("app"));
    assert_eq!(drops_to("exec gosu root gunicorn"), None);
    assert_eq!(drops_to("exec gunicorn --user app x"), None);
    assert_eq!(drops_to("echo gosu is not installed"), None);
}

#[test]
fn one_shot_and_dev_server() {
    let w = |s: &str| crate::dockerfile::shell_words(s);
    assert_eq!(
        one_shot_command(&w("python manage.py migrate")).as_deref(),
        Some("manage.py migrate")
    );
    assert_eq!(
        one_shot_command(&w(
            "sh -c \"python manage.py migrate && python manage.py collectstatic --noinput\""
        ))
        .as_deref(),
        Some("manage.py collectstatic")
    );
    assert_eq!(
        one_shot_command(&w("sh -c \"python manage.py migrate && gunicorn x\"")),
        None
    );
    assert_eq!(one_shot_command(&w("python manage.py run_huey")), None);
    assert!(runs_dev_server(
        "exec python manage.py runserver_plus 0.0.0.0:8000"
    ));
    assert!(!runs_dev_server("echo runserver"));
    assert!(is_dev_settings("config.settings.local"));
    assert!(is_dev_settings("app.settings_dev"));
    assert!(!is_dev_settings("config.settings.production"));
    assert!(is_dev_word("dev"));
    assert!(!is_dev_word("production"));
}
