"""Generate a large Django project for the benchmark: manage.py nested in src/, a split
settings package, 300 apps of 12 files each, a node_modules tree and a virtualenv-like
folder (both must be skipped), about 5,000 files in all."""

import os
import sys

root = sys.argv[1]
apps = int(sys.argv[2]) if len(sys.argv) > 2 else 300


def w(path, text=""):
    path = os.path.join(root, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


w("requirements/base.txt", "Django>=5.2,<5.3\npsycopg[binary]==3.2.3\ngunicorn==23.0.0\ndjango-environ==0.11.2\n"
  + "".join(f"package-{i}=={i % 7}.{i % 13}.0\n" for i in range(150)))
w("requirements/production.txt", "-r base.txt\nsentry-sdk==2.18.0\n")
w("requirements/local.txt", "-r base.txt\npytest==8.3.3\n")
w("src/manage.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'big.settings.local')\n")
w("src/big/__init__.py")
w("src/big/wsgi.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'big.settings.production')\n")
w("src/big/settings/__init__.py")
names = [f"app{i:03d}" for i in range(apps)]
base = ["from pathlib import Path", "import environ", "env = environ.Env()",
        "BASE_DIR = Path(__file__).resolve().parent.parent.parent",
        "DATABASES = {'default': env.db('DATABASE_URL')}",
        "STATIC_ROOT = BASE_DIR / 'staticfiles'", "STATIC_URL = '/static/'",
        "MEDIA_ROOT = BASE_DIR / 'media'", "MEDIA_URL = '/media/'",
        "INSTALLED_APPS = ["] + [f"    'apps.{n}'," for n in names] + ["]"]
base += [f"SETTING_{i} = env('SETTING_{i}', default='{i}')" for i in range(400)]
w("src/big/settings/base.py", "\n".join(base) + "\n")
w("src/big/settings/local.py", "from .base import *\nDEBUG = True\nSECRET_KEY = 'local'\n")
w("src/big/settings/production.py", "from .base import *\nSECRET_KEY = env('DJANGO_SECRET_KEY')\n"
  "ALLOWED_HOSTS = env.list('DJANGO_ALLOWED_HOSTS')\nCSRF_TRUSTED_ORIGINS = env.list('CSRF', default=[])\n"
  "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')\n")
for n in names:
    for f in ["__init__", "models", "views", "admin", "apps", "urls", "forms", "serializers", "tasks", "signals"]:
        w(f"src/apps/{n}/{f}.py", f"# {n}.{f}\n" + "x = 1\n" * 40)
    w(f"src/apps/{n}/templates/{n}/index.html", "<html></html>\n")
    w(f"src/apps/{n}/migrations/0001_initial.py", "# migration\n")
for i in range(800):
    w(f"frontend/node_modules/pkg{i}/index.js", "module.exports = 1;\n")
for i in range(400):
    w(f"src/.venv/lib/python3.12/site-packages/mod{i}/__init__.py", "")
print(sum(len(fs) for _, _, fs in os.walk(root)), "files")
