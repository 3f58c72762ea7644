"""The table of options that write, delete, run code or change configuration after an allow-listed prefix.

`git diff` may be allowed, but `git diff --output=.git/config` writes a file, `pytest -p evil` loads a
plugin and `make --eval=...` runs make code. Each tool lists such options as (spellings, effect, why):

- write: the value is a path the command writes; it is judged like any other write.
- script: the value is a command line a shell runs; it is parsed and judged, and needs review.
- exec: the option loads or runs code the command line chooses; it needs review.
- config: the option changes configuration or where the tool works; it needs review.
- arg: the option takes a value and is harmless; listed so its value is not read as an option.
- flag: a harmless option that is a prefix of a listed one (`pytest --co`), so it is not mistaken for it.

A spelling ending in `=` takes a value (`--opt=v`, `--opt v`, `-ov`, `-o v`, `-xo v`), one ending in `=?`
takes a value only when attached (`--opt=v`, `-ov`), any other is a flag. Unless a tool says
otherwise, a long option may be abbreviated to any unique prefix, as getopt_long, argparse and
git accept it; an abbreviation is judged as every listed option it could stand for (fail closed).
A key with a space is a subcommand (`git diff`); `always` is the effect of running the command at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional

Effect = Literal["write", "script", "exec", "config", "arg", "flag"]
Group = tuple[str, Effect, str]


@dataclass(frozen=True)
class Tool:
    """One command's listed options, and how its command line is read."""

    groups: tuple[Group, ...] = ()
    always: Optional[tuple[Effect, str]] = None
    prefixes: bool = True
    posix: bool = False
    single_dash: bool = False
    spellings: dict[str, tuple[Effect, str, str]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        """Index spellings once: `--output` -> (effect, why, value kind '' | '=' | '=?')."""
        for spellings, effect, why in self.groups:
            for spelling in spellings.split():
                name = spelling.rstrip("=?")
                self.spellings[name] = (effect, why, spelling[len(name):])


DIFF_OUTPUT: tuple[Group, ...] = (
    ("--output=", "write", "writes the diff to this file"),
    ("--ext-diff", "exec", "runs the external diff program from the configuration"),
    ("--textconv", "exec", "runs textconv filters from the configuration"),
    ("-O= -S= -G= -U= -l= -M=? -C=? -B=?", "arg", ""),
)
UPLOAD_PACK: Group = ("--upload-pack= -u=", "script", "runs this command as git-upload-pack")
GIT_DIFFING = ("diff", "log", "show", "whatchanged", "diff-tree", "diff-index", "diff-files", "range-diff", "stash",
               "reflog", "cherry", "format-patch", "blame", "annotate")

TOOLS: dict[str, Tool] = {
    "git": Tool((
        ("-c=", "config", "git -c overrides configuration, which can run commands (core.pager, alias.*, ...)"),
        ("--config-env=", "config", "git --config-env overrides configuration from the environment"),
        ("-C= --git-dir= --work-tree= --namespace= --super-prefix= --attr-source=", "config",
         "points git at another repository or work tree"),
        ("--exec-path=?", "exec", "runs git's subcommands from another directory"),
        ("--list-cmds=", "arg", ""),
    ), prefixes=False, posix=True),
    **{f"git {sub}": Tool(DIFF_OUTPUT) for sub in GIT_DIFFING},
    "git format-patch": Tool((*DIFF_OUTPUT, ("-o= --output-directory=", "write", "writes the patches there"))),
    "git grep": Tool((("-O=? --open-files-in-pager=?", "exec", "runs a pager on the matches"),
                      ("--textconv", "exec", "runs textconv filters"), ("-f= -e= -A= -B= -C= -m=", "arg", ""))),
    "git cat-file": Tool((("--textconv --filters", "exec", "runs conversion filters from the configuration"),)),
    "git archive": Tool((("-o= --output=", "write", "writes the archive there"),
                         ("--exec=", "script", "runs this command as git-upload-archive"),
                         ("--remote=", "config", "runs the archive on another repository"))),
    "git fetch": Tool((UPLOAD_PACK,)), "git pull": Tool((UPLOAD_PACK,)), "git ls-remote": Tool((UPLOAD_PACK,)),
    "git clone": Tool((UPLOAD_PACK, ("--template=", "exec", "copies hooks from a template directory"),
                       ("-c= --config=", "config", "sets configuration in the new repository"),
                       ("--separate-git-dir=", "write", "puts the repository there"),
                       ("-o= -b= --origin= --branch= --depth= --reference=", "arg", ""))),
    "git push": Tool((("--receive-pack= --exec=", "script", "runs this command as git-receive-pack"),
                      ("-o= --push-option= --repo=", "arg", ""))),
    "git send-pack": Tool((("--receive-pack= --exec=", "script", "runs this command as git-receive-pack"),)),
    "git rebase": Tool((("-x= --exec=", "script", "runs this command after each commit"),
                        ("-s= -X= --onto= --strategy= --strategy-option=", "arg", ""))),
    "git difftool": Tool((("-x= --extcmd=", "script", "runs this command as the diff tool"),
                          ("-t= --tool=", "exec", "runs the named diff tool"))),
    "git mergetool": Tool((("-t= --tool=", "exec", "runs the named merge tool"),)),
    "git send-email": Tool((("--to-cmd= --cc-cmd= --header-cmd= --smtp-server= --sendmail-cmd=", "script",
                             "runs this command to send or address mail"),)),
    "git commit": Tool((("--template= -t= -F= -m= -c= -C= --file= --message= --author= --date=", "arg", ""),)),
    "pytest": Tool((
        ("--basetemp=", "write", "pytest deletes and recreates this directory"),
        ("--junitxml= --junit-xml= --resultlog= --result-log= --report-log= --log-file= --html= "
         "--json-report-file= --debug=?", "write", "writes a report to this file"),
        ("-p=", "exec", "loads this plugin (code) into pytest"),
        ("--pdbcls= --tx= --rsyncdir=", "exec", "loads or starts code chosen on the command line"),
        ("-c= --config-file= --inifile= -o= --override-ini= --rootdir= --confcutdir= --cov-config=", "config",
         "changes which configuration pytest reads"),
        ("--cov-report= --cov=? --cov-fail-under=", "arg", ""), ("--cov-branch --no-cov", "flag", ""),
        ("-k= -m= -r= -W= -n= --tb= --maxfail= --durations= --deselect= --ignore= --ignore-glob= --junitprefix= "
         "--log-level= --log-file-level= --log-file-format= --log-file-date-format= --log-cli-level= "
         "--import-mode= --capture= --dist= --color=", "arg", ""),
        ("--co --pdb --collect-only --cache-clear --cache-show", "flag", ""),
    )),
    "python": Tool((("-c=", "exec", "runs inline Python code"), ("-W= -X= -Q=", "arg", "")), prefixes=False,
                   posix=True),
    **{name: Tool((("-e= -E=", "exec", f"runs inline {name} code"),
                   ("-I= -M= -m= -l=? -0=? -x=?", "arg", "")), prefixes=False, posix=True) for name in ("perl",)},
    "ruby": Tool((("-e=", "exec", "runs inline Ruby code"), ("-r= -I= -C=", "exec", "loads code before the script")),
                 prefixes=False, posix=True),
    "node": Tool((("-e= --eval= -p= --print=", "exec", "runs inline JavaScript"),
                  ("-r= --require= --import= --loader= --experimental-loader=", "exec", "preloads a module")),
                 posix=True),
    "php": Tool((("-r= -B= -R= -E= -F=", "exec", "runs inline PHP code"),), prefixes=False, posix=True),
    "lua": Tool((("-e= -l=", "exec", "runs inline Lua code"),), prefixes=False, posix=True),
    "Rscript": Tool((("-e= --expr=", "exec", "runs inline R code"),), posix=True),
    "osascript": Tool((("-e=", "exec", "runs inline AppleScript"),), prefixes=False, posix=True),
    "pwsh": Tool((("-c= -Command= -EncodedCommand= -ec= -File= -f=", "exec", "runs PowerShell code"),),
                 prefixes=False, single_dash=True),
    "make": Tool((
        ("--eval= -E=", "exec", "evaluates make code (it can run shell commands)"),
        ("-f= --file= --makefile= -I= --include-dir=", "exec", "reads another makefile"),
        ("-C= --directory=", "exec", "runs the makefile of another directory"),
        ("-j=? -l=? -o= -W= -O=? --old-file= --what-if= --jobs=? --load-average=?", "arg", ""),
    )),
    "sort": Tool((("-o= --output=", "write", "writes the sorted output there"),
                  ("--compress-program=", "script", "runs this program to compress temporary files"),
                  ("-k= -t= -S= -T= --temporary-directory= --buffer-size= --files0-from= --batch-size= --parallel= --random-source= --key= "
                   "--field-separator=", "arg", ""))),
    "rsync": Tool((("-e= --rsh= --rsync-path=", "script", "runs this command for the transfer"),
                   ("--log-file= --write-batch= --only-write-batch= --backup-dir= --partial-dir= --temp-dir= -T=",
                    "write", "writes files there"),
                   ("--files-from= --exclude-from= --include-from= --filter= -f= --password-file= --exclude= "
                    "--include= -B= --block-size= --max-size= --min-size= --chmod= --timeout=", "arg", ""))),
    "tar": Tool((
        ("--to-command= -I= --use-compress-program= -F= --info-script= --new-volume-script= --rsh-command= "
         "--rmt-command=", "script", "runs this command"),
        ("--checkpoint-action=", "arg", ""),
        ("--remove-files", "config", "deletes the files it archives"),
        ("-P --absolute-names", "config", "extracts to absolute paths outside the current directory"),
        ("-g= --listed-incremental=", "write", "writes the snapshot file"),
        ("-C= --directory= -f= --file= -T= --files-from= -X= --exclude-from= -b= -V= -K= -N= -L= --transform= "
         "--exclude= --owner= --group= --mode= --format= -H=", "arg", ""),
    )),
    "unzip": Tool((("-d=", "write", "extracts into this directory"), ("-x= -P= -I= -O=", "arg", "")), prefixes=False),
    "zip": Tool((("-TT= --unzip-command=", "script", "runs this command to test the archive"),
                 ("-O= --output-file=", "write", "writes the archive there"),
                 ("-m --move", "config", "deletes the files it archives"),
                 ("-b= -n= -t= -tt= -i= -x= -P=", "arg", ""))),
    "sed": Tool((("-f= --file=", "exec", "reads a sed script from a file (it can write files and run commands)"),
                 ("-e= --expression= -l= --line-length=", "arg", ""),
                 ("-s --separate --sandbox -n -E -r", "flag", ""))),
    "awk": Tool((("-f= --file= -E= --exec= -i= --include= -l= --load=", "exec", "runs an awk program from a file"),
                 ("-o=? --pretty-print=? -p=? --profile=? -d=? --dump-variables=?", "write", "writes a file"),
                 ("-v= --assign= -F= --field-separator= -e= --source= -W=", "arg", ""))),
    "find": Tool((("-fprint= -fprint0= -fprintf= -fls=", "write", "writes the results to this file"),
                  ("-name= -iname= -path= -ipath= -regex= -iregex= -type= -newer= -user= -group= -perm= -size= "
                   "-mtime= -mmin= -atime= -ctime= -maxdepth= -mindepth= -printf= -wholename=", "arg", "")),
                 prefixes=False, single_dash=True),
    "curl": Tool((
        ("-o= --output= --output-dir= -D= --dump-header= -c= --cookie-jar= --trace= --trace-ascii= --stderr= "
         "--libcurl= --etag-save= --hsts= --alt-svc=", "write", "writes to this file"),
        ("-O --remote-name --remote-name-all -J --remote-header-name", "config",
         "writes a file named by the server"),
        ("-K= --config=", "config", "reads options from a config file"),
        ("-H= -d= -X= -u= -A= -e= -b= -F= -m= -r= -w= -x= -E= -T= -U= -Y= -y= -z= -C= -Q= -t= --data= --header= "
         "--request= --user= --url= --data-raw= --data-binary= --form= --upload-file= --connect-timeout= "
         "--max-time= --retry= --proxy= --cacert= --cert= --key= --resolve= --json=", "arg", ""),
    )),
    "wget": Tool((
        ("-O= --output-document= -o= --output-file= -a= --append-output= -P= --directory-prefix= --save-cookies=",
         "write", "writes to this file or directory"),
        ("--use-askpass=", "script", "runs this command for passwords"),
        ("-e= --execute= --config=", "config", "runs wgetrc commands"),
        ("-i= --input-file= -t= -T= -w= -U= --tries= --timeout= --wait= --user-agent= --header= --user= "
         "--password= -l= --level=", "arg", ""),
    )),
    "pip": Tool((("--log= --log-file= --report=", "write", "writes a log or report there"),
                 ("--python=", "exec", "runs pip under another interpreter"),
                 ("--cache-dir= --proxy= --cert= --client-cert= --timeout= --retries= --exists-action= "
                  "--trusted-host= --use-feature= --use-deprecated= -r= -c= -e= --requirement= --constraint= "
                  "--editable= --python-version= --platform= --implementation= --abi= --no-binary= "
                  "--only-binary=", "arg", ""))),
    "pip install": Tool((("-t= --target= --prefix= --root= --src=", "write", "installs files there"),
                         ("-i= --index-url= --extra-index-url= -f= --find-links=", "config",
                          "installs from another package index")),
                        always=("exec", "pip install runs the packages' build and install code")),
    "pip download": Tool((("-d= --dest=", "write", "downloads into this directory"),)),
    "pip wheel": Tool((("-w= --wheel-dir=", "write", "writes wheels into this directory"),),
                      always=("exec", "pip wheel runs the packages' build code")),
    "pip uninstall": Tool(always=("config", "pip uninstall changes the environment")),
    "npm": Tool((("--script-shell= --call= -c=", "script", "runs this command as the script shell"),
                 ("--node-options=", "exec", "passes options (e.g. --require) to node"),
                 ("--prefix= -C= --userconfig= --globalconfig=", "config", "changes npm's directory or configuration"),
                 ("-w= --workspace=", "arg", ""))),
    **{f"{pm} {sub}": Tool(always=("exec", f"{pm} {sub} runs package scripts or downloaded code"))
       for pm in ("npm", "pnpm", "yarn", "bun")
       for sub in ("install", "i", "ci", "add", "update", "up", "upgrade", "rebuild", "link", "exec", "x", "dlx",
                   "explore", "init", "create", "publish", "pack", "uninstall", "remove", "rm", "version")},
    **{name: Tool(always=("exec", f"{name} downloads and runs a package")) for name in ("npx", "pnpx", "bunx", "uvx")},
    "uv pip": Tool(always=("exec", "uv pip installs or removes packages (their build code runs)")),
    **{f"uv {sub}": Tool(always=("exec", f"uv {sub} installs packages (their build code runs)"))
       for sub in ("add", "sync", "tool", "remove", "lock", "build", "publish")},
    "pipx": Tool(always=("exec", "pipx installs and runs packages")),
    "ssh": Tool((("-o=", "arg", ""), ("-F=", "config", "reads another ssh configuration"),
                 ("-i= -l= -p= -b= -c= -D= -E= -e= -I= -J= -L= -m= -O= -Q= -R= -S= -W= -w=", "arg", "")),
                prefixes=False),
    "vim": Tool((("-c= --cmd= -S= -s= -u= -i=", "exec", "runs editor commands (they can run shell commands)"),),
                prefixes=False),
    "emacs": Tool((("--eval= -l= --load= -f= --funcall= --script= -x=", "exec", "runs Emacs Lisp"),),
                  prefixes=False),
    "patch": Tool((("-o= --output= -r= --reject-file= -B= --prefix=", "write", "writes there"),
                   ("-d= --directory=", "config", "patches files in another directory"),
                   ("-i= --input= -p= --strip= -D= -F= --fuzz= -z= --suffix=", "arg", "")),
                  always=("config", "patch writes the files the patch names")),
    "sqlite3": Tool((("-cmd= -init=", "exec", "runs sqlite dot-commands (.shell, .output)"),), prefixes=False,
                    single_dash=True),
    "gzip": Tool((("-S= --suffix=", "arg", ""),)),
    "time": Tool((("-o= --output=", "write", "writes the timing report there"), ("-f= --format=", "arg", "")),
                 posix=True),
    "strace": Tool((("-o= --output=", "write", "writes the trace there"),
                    ("-e= -p= -s= -u= -E= -a= -b= -I= -O= -S= -X= -P=", "arg", "")), posix=True),
    "ltrace": Tool((("-o= --output=", "write", "writes the trace there"), ("-e= -p= -s= -u= -l= -n=", "arg", "")),
                   posix=True),
    "valgrind": Tool((("--log-file= --xml-file=", "write", "writes the report there"),), posix=True),
    **{name: Tool((("-o= --output=", "write", "writes its output there"),)) for name in ("sdiff", "iconv", "gpg",
                                                                                         "gpg2", "pandoc")},
    "openssl": Tool((("-out=", "write", "writes its output there"),), prefixes=False, single_dash=True),
    "ed": Tool(always=("exec", "ed runs editor commands from stdin (they can write files and run commands)")),
    "script": Tool((("-c= --command=", "script", "runs this command and records it"),
                    ("-O= --log-out= -I= --log-in= -B= --log-io= -T= --log-timing= -t=?", "write",
                     "writes a log there"))),
    "cargo install": Tool(always=("exec", "cargo install builds and installs a crate (its build code runs)")),
    "rg": Tool((("--pre=", "script", "runs this command on every file searched"),
                ("-e= -f= -g= -t= -T= -m= -A= -B= -C= -M= -j= --glob= --type= --regexp= --file= --max-count= "
                 "--pre-glob= --replace= -r=", "arg", ""))),
    "scp": Tool((("-S=", "script", "runs this program instead of ssh"), ("-o=", "arg", ""),
                 ("-F=", "config", "reads another ssh configuration"),
                 ("-i= -l= -P= -c= -D= -J=", "arg", "")), prefixes=False),
    **{f"go {sub}": Tool((("-o=", "write", "writes the built binary there"),
                          ("-exec= -toolexec=", "script", "runs the build or tests through this command"),
                          ("-modfile= -overlay= -C=", "config", "changes which module files go reads"),
                          ("-run= -tags= -p= -count= -timeout= -bench= -ldflags= -gcflags= -mod=", "arg", "")),
                         prefixes=False, single_dash=True) for sub in ("build", "test", "run", "install", "vet")},
    "go generate": Tool(always=("exec", "go generate runs the commands written in the source files")),
    **{name: Tool(always=("exec", f"{name} schedules commands to run later")) for name in ("at", "batch")},
    "zstd": Tool((("-o=", "write", "writes the output there"), ("-D= --patch-from= -T=", "arg", ""))),
}

ALIASES: dict[str, str] = {
    "py.test": "pytest", "pip3": "pip", "gawk": "awk", "mawk": "awk", "nawk": "awk", "busybox-awk": "awk",
    "gsed": "sed", "gtar": "tar", "bsdtar": "tar", "gmake": "make", "nodejs": "node", "powershell": "pwsh",
    "nvim": "vim", "vi": "vim", "view": "vim", "ex": "vim", "gvim": "vim", "rvim": "vim", "gunzip": "gzip",
    "bzip2": "gzip", "bunzip2": "gzip", "xz": "gzip", "unxz": "gzip", "lzma": "gzip", "unlzma": "gzip",
    "pigz": "gzip", "compress": "gzip", "uncompress": "gzip", "lz4": "gzip", "brotli": "gzip",
    "unzstd": "zstd", "ruby3": "ruby", "perl5": "perl",
}
"""Other names of the same tool; pythonX.Y and friends are folded by the reader."""

FORMATTERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "black": ((), ("--check", "--diff")), "isort": ((), ("--check", "--check-only", "-c", "--diff")),
    "rustfmt": ((), ("--check",)), "autopep8": (("-i", "--in-place"), ()), "clang-format": (("-i",), ()),
    "gofmt": (("-w",), ()), "goimports": (("-w",), ()), "shfmt": (("-w", "--write"), ()),
    "prettier": (("--write", "-w"), ()), "eslint": (("--fix",), ()), "yq": (("-i", "--inplace"), ()),
    "ruff": (("--fix", "format"), ("--check", "--diff")),
}
"""Tools that rewrite their operands in place: (options or subcommands that make them write, or () for always;
options that keep them read-only)."""

SUBCOMMANDS = frozenset({"git", "pip", "npm", "pnpm", "yarn", "bun", "uv", "go", "cargo"})
"""Tools whose first operand names a subcommand (`git diff`, `pip install`)."""

HARMLESS_VALUES: dict[str, dict[str, str]] = {"pytest": {"-p": "no:"}}
"""Option values that only switch something off (`pytest -p no:cacheprovider`), by value prefix."""

PYTHON_MODULES: dict[str, str] = {"pytest": "pytest", "pip": "pip", "py.test": "pytest"}
"""`python -m MODULE` judged as the tool it is."""

SAFE_MODULES = frozenset({"pytest", "unittest", "doctest", "mypy", "flake8", "pylint", "pyflakes", "compileall",
                          "py_compile", "json.tool", "timeit", "pip"})
"""Modules `python -m` may run without review (tools that check or test code; their own options are judged)."""
