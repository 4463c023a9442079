from registry_tool.cli import main

if __name__ == "__main__":  # not when a worker process re-imports this module
    main(prog_name="registry-tool")
