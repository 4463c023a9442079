from registry_tool.cli import run

if __name__ == "__main__":  # not when a worker process re-imports this module
    run()
