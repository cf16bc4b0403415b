-- End-to-end test of `kube-secctx server` in a real editor: Neovim 0.7 (Debian's neovim
-- 0.7.2), headless, its built-in LSP client and nothing else (no plugins, no config).
-- tests/lsp_neovim.rs runs it:
--
--   KUBE_SECCTX_BIN=target/debug/kube-secctx KUBE_SECCTX_FILE=/tmp/x/nginx-deployment.yaml \
--   KUBE_SECCTX_RESULT=/tmp/x/result nvim --headless --clean -n -u NONE -c "luafile tests/nvim/lsp_e2e.lua"
--
-- It opens KUBE_SECCTX_FILE (a copy of examples/nginx-deployment.yaml), checks the seven
-- diagnostics Neovim holds for it, takes the first preferred quick fix at the
-- may-run-as-root diagnostic as `vim.lsp.buf.code_action()` would, then the
-- `source.fixAll` action, checks the diagnostics after each, writes the file, stops the
-- server (which must exit with code 0) and quits with exit code 0. Any failed check: the
-- reason on stderr and in KUBE_SECCTX_RESULT, and exit code 1 (`:cquit`). Every wait has
-- a timeout (KUBE_SECCTX_TIMEOUT_MS, 20 s), so a broken server never hangs the run.
--
-- Neovim 0.7 APIs only (vim.lsp.start_client, vim.lsp.diagnostic.get_line_diagnostics, ...).

local TIMEOUT = tonumber(os.getenv('KUBE_SECCTX_TIMEOUT_MS') or '') or 20000
local bin = os.getenv('KUBE_SECCTX_BIN')
local file = os.getenv('KUBE_SECCTX_FILE')
local result_file = os.getenv('KUBE_SECCTX_RESULT')

local SEVERITY = vim.diagnostic.severity
-- What happened, step by step: printed with a failure.
local steps = {}
local function step(s)
  table.insert(steps, s)
end

-- A failed check. `error` with a table, so the message is not prefixed with a position.
local Failure = {}
local function fail(fmt, ...)
  error(setmetatable({ message = string.format(fmt, ...) }, Failure), 0)
end
local function check(cond, fmt, ...)
  if not cond then
    fail(fmt, ...)
  end
end

local function write_result(text)
  if result_file and result_file ~= '' then
    local f = io.open(result_file, 'w')
    if f then
      f:write(text, '\n')
      f:close()
    end
  end
end

-- State the handlers below record.
local client_id, client
local published = {} -- every textDocument/publishDiagnostics: {version =, count =}
local server_errors = {} -- window/showMessage of type Error or Warning
local exit_code, exit_signal
local stopping = false

-- Waits for `cond` at most TIMEOUT ms; fails at once when the server exits unasked.
local function wait(what, cond)
  local done = vim.wait(TIMEOUT, function()
    return cond() or (exit_code ~= nil and not stopping)
  end, 20)
  if exit_code ~= nil and not stopping then
    fail('the server exited (code %s, signal %s) while waiting for %s', tostring(exit_code), tostring(exit_signal), what)
  end
  if not done then
    fail('timed out after %d ms waiting for %s', TIMEOUT, what)
  end
end

local function codes(ds)
  local out = {}
  for _, d in ipairs(ds) do
    table.insert(out, tostring(d.code))
  end
  table.sort(out)
  return out
end

local function same_list(a, b)
  return table.concat(a, ',') == table.concat(b, ',')
end

local function check_codes(ds, want, when)
  table.sort(want)
  check(
    same_list(codes(ds), want),
    '%s: diagnostics %s, expected %s',
    when,
    table.concat(codes(ds), ', '),
    table.concat(want, ', ')
  )
end

local function find(ds, code)
  for _, d in ipairs(ds) do
    if d.code == code then
      return d
    end
  end
  fail('no %s diagnostic among %s', code, table.concat(codes(ds), ', '))
end

local function check_no_server_errors(when)
  check(#server_errors == 0, '%s: the server showed: %s', when, table.concat(server_errors, ' | '))
end

-- Waits until the server has published the diagnostics of the buffer's current version
-- (the version of the last didChange Neovim sent, or 0 after didOpen).
local function wait_diagnostics(bufnr, when)
  wait('the diagnostics ' .. when, function()
    local v = vim.lsp.util.buf_versions[bufnr]
    local last = published[#published]
    return last ~= nil and v ~= nil and last.version == v
  end)
  check_no_server_errors(when)
  return vim.diagnostic.get(bufnr)
end

-- textDocument/codeAction at the cursor, as vim.lsp.buf.code_action(context) asks:
-- the range of make_range_params(), `context.diagnostics` = the LSP diagnostics of the
-- cursor's line unless `context` names some.
local function code_actions(bufnr, context)
  local params = vim.lsp.util.make_range_params()
  params.context = context or {}
  if not params.context.diagnostics then
    params.context.diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr)
  end
  local responses, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, TIMEOUT)
  check(responses ~= nil, 'textDocument/codeAction: no answer (%s)', tostring(err))
  local r = responses[client_id]
  check(r ~= nil, 'textDocument/codeAction: no answer from kube-secctx')
  check(r.err == nil, 'textDocument/codeAction: error %s', vim.inspect(r.err))
  return r.result or {}, params
end

-- Applies a code action as vim.lsp.buf.code_action() does (its `edit`, in the client's
-- offset encoding) and checks the buffer changed.
local function apply(bufnr, action)
  check(action.edit ~= nil, 'the action %q has no edit (and the server offers no resolve)', action.title)
  local before = vim.api.nvim_buf_get_changedtick(bufnr)
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  check(
    vim.api.nvim_buf_get_changedtick(bufnr) > before,
    'applying %q left the buffer unchanged: %s',
    action.title,
    vim.inspect(action.edit)
  )
end

local function titles(actions)
  local out = {}
  for _, a in ipairs(actions) do
    table.insert(out, a.title)
  end
  return table.concat(out, ' | ')
end

local function run()
  check(vim.fn.has('nvim-0.7') == 1, 'Neovim >= 0.7 is needed, this is %s', vim.version and vim.inspect(vim.version()) or '< 0.5')
  check(bin and bin ~= '' and vim.fn.executable(bin) == 1, 'KUBE_SECCTX_BIN=%s is not an executable', tostring(bin))
  check(file and file ~= '' and vim.fn.filereadable(file) == 1, 'KUBE_SECCTX_FILE=%s is not a readable file', tostring(file))

  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  -- The languageId Neovim sends is the filetype, which it detects even with -u NONE;
  -- should detection be off, say yaml, as an editor would.
  if vim.bo[bufnr].filetype == '' then
    vim.bo[bufnr].filetype = 'yaml'
  end

  local publish = vim.lsp.handlers['textDocument/publishDiagnostics']
  local show = vim.lsp.handlers['window/showMessage']
  client_id = vim.lsp.start_client({
    name = 'kube-secctx',
    cmd = { bin, 'server' },
    root_dir = vim.fn.fnamemodify(file, ':p:h'),
    -- As nvim-lspconfig does: the settings after initialize. None here: an empty Lua
    -- table, which Neovim encodes as `[]`.
    on_init = function(c)
      c.notify('workspace/didChangeConfiguration', { settings = {} })
    end,
    on_exit = function(code, signal)
      exit_code, exit_signal = code, signal
    end,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        table.insert(published, { version = result and result.version, count = result and #result.diagnostics })
        return publish(err, result, ctx, config)
      end,
      ['window/showMessage'] = function(err, result, ctx, config)
        if result and result.type <= 2 then
          table.insert(server_errors, result.message)
        end
        return show(err, result, ctx, config)
      end,
    },
  })
  check(client_id ~= nil, 'vim.lsp.start_client failed for %s server', bin)
  client = vim.lsp.get_client_by_id(client_id)
  check(vim.lsp.buf_attach_client(bufnr, client_id), 'vim.lsp.buf_attach_client failed')
  wait('the server to initialize', function()
    return client.initialized == true
  end)
  step('initialized; offset encoding ' .. client.offset_encoding)
  check(client.offset_encoding == 'utf-16', 'offset encoding %s, expected utf-16', client.offset_encoding)

  -- 1. The seven findings of the nginx example, where tests/lsp/main.rs expects them
  --    (nginx_example_gives_seven_diagnostics_at_their_ranges), as Neovim holds them.
  local ds = wait_diagnostics(bufnr, 'after opening the file')
  step(string.format('opened: %d diagnostics', #ds))
  check(#ds == 7, 'after opening: %d diagnostics, expected 7: %s', #ds, table.concat(codes(ds), ', '))
  local expected = {
    -- `spec:` of the pod template (line 16), which has no securityContext.
    { 'pod-security-context-missing', 15, 4, 8, SEVERITY.WARN },
    -- The container's first key, `name` (line 18).
    { 'container-security-context-missing', 17, 8, 12, SEVERITY.WARN },
    { 'may-run-as-root', 17, 8, 12, SEVERITY.ERROR },
    { 'missing-seccomp-profile', 17, 8, 12, SEVERITY.ERROR },
    { 'privilege-escalation-allowed', 17, 8, 12, SEVERITY.ERROR },
    { 'unrestricted-capabilities', 17, 8, 12, SEVERITY.ERROR },
    { 'writable-root-filesystem', 17, 8, 12, SEVERITY.WARN },
  }
  for _, e in ipairs(expected) do
    local code, lnum, col, end_col, severity = unpack(e)
    local d = find(ds, code)
    check(
      d.lnum == lnum and d.col == col and d.end_lnum == lnum and d.end_col == end_col,
      '%s at %d:%d-%d:%d, expected %d:%d-%d:%d',
      code, d.lnum, d.col, d.end_lnum, d.end_col, lnum, col, lnum, end_col
    )
    check(d.severity == severity, '%s: severity %s, expected %s', code, tostring(d.severity), tostring(severity))
    check(d.source == 'kube-secctx', '%s: source %s', code, tostring(d.source))
  end

  -- 2. The cursor on the may-run-as-root diagnostic; the code actions Neovim's
  --    code_action() would list; the first preferred one applied.
  local root = find(ds, 'may-run-as-root')
  vim.api.nvim_win_set_cursor(0, { root.lnum + 1, root.col })
  local line_diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr)
  check(#line_diagnostics == 6, 'get_line_diagnostics: %d, expected the 6 of line 18', #line_diagnostics)
  local actions = code_actions(bufnr)
  step('code actions at may-run-as-root: ' .. titles(actions))
  local preferred
  for _, a in ipairs(actions) do
    if a.isPreferred then
      preferred = a
      break
    end
  end
  check(preferred ~= nil, 'no preferred code action at may-run-as-root: %s', titles(actions))
  check(preferred.kind == 'quickfix', 'the preferred action is a %s', tostring(preferred.kind))
  local fixed = preferred.diagnostics and preferred.diagnostics[1] and preferred.diagnostics[1].code
  check(
    fixed == 'container-security-context-missing',
    'the first preferred action %q fixes %s, expected container-security-context-missing',
    preferred.title,
    tostring(fixed)
  )
  -- Asked about may-run-as-root alone (Neovim's own diagnostic, converted back to LSP):
  -- the server recognizes it, and every quick fix it offers is for that finding.
  local only_root = {}
  for _, d in ipairs(line_diagnostics) do
    if d.code == 'may-run-as-root' then
      table.insert(only_root, d)
    end
  end
  check(#only_root == 1, 'may-run-as-root: %d line diagnostics', #only_root)
  local for_root = code_actions(bufnr, { diagnostics = only_root, only = { 'quickfix' } })
  check(#for_root >= 1, 'no quick fix for may-run-as-root alone')
  for _, a in ipairs(for_root) do
    local c = a.diagnostics and a.diagnostics[1] and a.diagnostics[1].code
    check(c == 'may-run-as-root', 'asked about may-run-as-root alone, got %q for %s', a.title, tostring(c))
  end

  apply(bufnr, preferred)
  step('applied: ' .. preferred.title)
  ds = wait_diagnostics(bufnr, 'after the preferred fix')
  step(string.format('after the preferred fix: %s', table.concat(codes(ds), ', ')))
  -- The fixed finding is gone, and privilege-escalation-allowed with it (the fix sets
  -- allowPrivilegeEscalation: false); nothing new.
  check_codes(ds, {
    'may-run-as-root',
    'missing-seccomp-profile',
    'pod-security-context-missing',
    'unrestricted-capabilities',
    'writable-root-filesystem',
  }, 'after the preferred fix')

  -- 3. Fix all: `context.only = {"source.fixAll"}`, as a fix-on-save setting asks.
  actions = code_actions(bufnr, { only = { 'source.fixAll' } })
  step('source.fixAll actions: ' .. titles(actions))
  check(#actions == 1, 'source.fixAll: %d actions, expected 1: %s', #actions, titles(actions))
  local fix_all = actions[1]
  check(fix_all.kind == 'source.fixAll.kube-secctx', 'source.fixAll: kind %s', tostring(fix_all.kind))
  check(
    fix_all.title == 'Fix all safe kube-secctx findings (2 findings)',
    'source.fixAll: title %q',
    fix_all.title
  )
  apply(bufnr, fix_all)
  step('applied: ' .. fix_all.title)
  ds = wait_diagnostics(bufnr, 'after fix all')
  step(string.format('after fix all: %s', table.concat(codes(ds), ', ')))
  check_codes(ds, { 'may-run-as-root', 'unrestricted-capabilities', 'writable-root-filesystem' }, 'after fix all')
  -- All three at the container's new `securityContext:` key (line 22, 0-based 21).
  for _, d in ipairs(ds) do
    check(
      d.lnum == 21 and d.col == 8 and d.end_lnum == 21 and d.end_col == 23,
      'after fix all: %s at %d:%d-%d:%d, expected 21:8-21:23',
      tostring(d.code), d.lnum, d.col, d.end_lnum, d.end_col
    )
  end
  -- Nothing safe is left to fix.
  actions = code_actions(bufnr, { only = { 'source.fixAll' } })
  check(#actions == 0, 'a second source.fixAll still offers: %s', titles(actions))

  -- 4. Write the file, stop the server: shutdown, exit, exit code 0.
  vim.cmd('write')
  step('written')
  stopping = true
  client.stop()
  wait('the server to exit after shutdown and exit', function()
    return exit_code ~= nil
  end)
  check(
    exit_code == 0 and (exit_signal or 0) == 0,
    'the server exited with code %s (signal %s), expected 0',
    tostring(exit_code),
    tostring(exit_signal)
  )
  step('server exited with code 0')
end

local ok, err = xpcall(run, function(e)
  if getmetatable(e) == Failure then
    return e.message
  end
  return 'error in lsp_e2e.lua: ' .. debug.traceback(tostring(e), 2)
end)
if ok then
  write_result('ok')
  vim.cmd('qall!')
else
  local report = 'FAIL: ' .. tostring(err) .. '\nsteps before it:\n  ' .. (#steps > 0 and table.concat(steps, '\n  ') or '(none)')
  io.stderr:write(report, '\n')
  write_result(report)
  if client and not client.is_stopped() then
    client.stop(true)
  end
  vim.cmd('cquit 1')
end
