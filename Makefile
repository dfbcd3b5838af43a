# xxgk — 政府信息公开工作年度报告。`make` 列出全部目标。
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
YEAR   ?= 2023
ARGS   ?=

.DEFAULT_GOAL := help
.PHONY: help install report units template new-year audit test lint sample bench clean golden system-deps docs

help: ## 列出全部目标 / list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)
	@echo "已安装。命令是 $(BIN)/xxgk（先运行 source $(BIN)/activate，之后直接用 xxgk）；常用的也可以用 make，见 make help"

install: $(STAMP) ## 建立 .venv 并安装锁定版本的依赖 / create .venv with pinned dependencies

# NOTE: compiled ahead (only what changed): with PYTHONDONTWRITEBYTECODE set, every run would
# compile the project's modules again (≈ 0.3 s of a county's 3 s)
COMPILED = @$(BIN)/python -m compileall -q pipeline schemas >/dev/null

report: $(STAMP) ## 生成某年度的全县报告，如 make report YEAR=2023 ARGS=--draft（ARGS：其他选项）/ run the pipeline for YEAR
	$(COMPILED)
	$(BIN)/xxgk report --year $(YEAR) $(ARGS)

units: $(STAMP) ## 生成每个单位的本机关报告，如 make units YEAR=2023 / every unit's own report for YEAR
	$(COMPILED)
	$(BIN)/xxgk report --year $(YEAR) --all-units $(ARGS)

template: $(STAMP) ## 生成各单位的报表模板到 output/YEAR/templates/，如 make template YEAR=2024 / the return templates for YEAR
	$(BIN)/xxgk template --year $(YEAR) $(ARGS)

new-year: $(STAMP) ## 建立新年度 raw/YEAR/（复制上一年度的名册和设置）并生成模板，如 make new-year YEAR=2024 / start YEAR
	@case "$(origin YEAR)" in "command line"|environment) ;; \
	  *) echo "请写明要建立的年度，如 make new-year YEAR=2024" >&2; exit 2;; esac
	$(BIN)/xxgk new-year $(YEAR) $(ARGS)

audit: $(STAMP) ## 审核已发布的年报，如 make audit ARGS="下载的年报/" / audit the published reports in ARGS
	$(BIN)/xxgk audit $(ARGS)

test: $(STAMP) ## 运行全部测试 / run the test suite
	$(BIN)/python -m pytest

system-deps: ## 安装测试所需的系统软件包（见 .ci/debian-packages.txt，需要 root）/ install Debian packages the tests need
	@pkgs=$$(grep -v '^#' .ci/debian-packages.txt | xargs); missing=""; \
	for p in $$pkgs; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

lint: $(STAMP) ## 代码检查：ruff、格式、mypy 类型检查 / lint: ruff check, ruff format --check, mypy
	$(BIN)/ruff check pipeline schemas tests scripts
	$(BIN)/ruff format --check pipeline schemas tests scripts
	$(BIN)/mypy

sample: $(STAMP) ## 重新生成示例报表 raw/2023/returns/ / regenerate the sample returns
	$(BIN)/python scripts/make_sample.py --year 2023

bench: $(STAMP) ## 性能测试：打印吞吐量与内存，以及已发布年报每秒读取份数 / print throughput, memory and published reports read per second
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_published.py

docs: $(STAMP) ## 由规则目录生成 docs/rules.md / regenerate docs/rules.md from the rule catalog
	$(BIN)/python scripts/make_docs.py

clean: ## 删除全部输出（不动 raw/）/ remove outputs (never raw/)
	find output -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +

golden: $(STAMP) ## 重新生成测试用的标准输出 tests/golden/（改动输出后使用）/ regenerate golden files
	XXGK_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_end_to_end.py
